// A full disk for a real planbot process, for machines where the tests cannot mount a small tmpfs (not
// root). Loaded with `node --import` (through NODE_OPTIONS), it makes every FileHandle.writeFile of a
// temp file (`.<name>.<pid>.<hex>.tmp`, recognised by the open call that made the handle) write the first
// 4 KiB and then fail the way the kernel does on a full disk: an Error with code ENOSPC, errno -28,
// syscall "write". Everything else planbot does with files is left alone.
import { promises as fs } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const TEMP = /\/\.[^/]+\.\d+\.[0-9a-f]+\.tmp$/;
const probe = await fs.open("/dev/null", "r");
const FileHandle = Object.getPrototypeOf(probe);
await probe.close();

const tempHandles = new WeakSet();
const realOpen = fs.open;
fs.open = async function open(path, ...rest) {
  const handle = await realOpen.call(this, path, ...rest);
  if (typeof path === "string" && TEMP.test(path)) tempHandles.add(handle);
  return handle;
};

const realWriteFile = FileHandle.writeFile;
FileHandle.writeFile = async function writeFile(data, options) {
  if (!tempHandles.has(this)) return realWriteFile.call(this, data, options);
  const bytes = Buffer.from(data);
  await this.write(bytes.subarray(0, Math.min(4096, bytes.length)));
  throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    errno: -28,
    syscall: "write",
  });
};

// `import { open } from "node:fs/promises"` sees the patched function only after this.
syncBuiltinESMExports();
