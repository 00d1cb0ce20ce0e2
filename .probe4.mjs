import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
const SPEC = /(?:^|[\s;])import\s(?!type\s)[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']|(?:^|[\s;])export\s(?!type\s)[^"';]*?from\s*["']([^"']+)["']/gm;
const seen = new Set(), pkgs = new Map();
function visit(f){ if(seen.has(f)) return; seen.add(f); let t; try{t=readFileSync(f,"utf8")}catch{return}
 for(const m of t.matchAll(SPEC)){const s=m[1]??m[2]??m[3]??m[4]; if(s.startsWith(".")) visit(normalize(join(dirname(f),s))); else if(!s.startsWith("node:")) {const p=s.startsWith("@")?s.split("/").slice(0,2).join("/"):s.split("/")[0]; if(!pkgs.has(p)) pkgs.set(p,f)}}}
visit(process.argv[2]);
console.log(seen.size, "files"); console.log([...pkgs].map(x=>x.join(" <- ")).join("\n"));
