// A `chmod` the kernel refuses, for a real planbot process: loaded with `node --import` (through
// NODE_OPTIONS), it makes every chmod of the terminal socket (`planbot.sock`, src/adapters/console/protocol.ts)
// fail the way the kernel does when the caller may not change the file's mode: an Error with code EPERM,
// errno -1, syscall "chmod". Every other chmod is left alone.
import { promises as fs } from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const SOCKET = /\/planbot\.sock$/;
const realChmod = fs.chmod;
fs.chmod = async function chmod(path, mode) {
  if (!SOCKET.test(String(path))) return realChmod.call(this, path, mode);
  throw Object.assign(new Error(`EPERM: operation not permitted, chmod '${path}'`), {
    code: "EPERM",
    errno: -1,
    syscall: "chmod",
    path: String(path),
  });
};

// `import { chmod } from "node:fs/promises"` sees the patched function only after this.
syncBuiltinESMExports();
