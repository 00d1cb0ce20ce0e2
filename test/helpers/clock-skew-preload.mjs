// A machine whose clock is off, for a real planbot process: loaded with `node --import` (through
// NODE_OPTIONS), it shifts what `Date` says by PLANBOT_TEST_CLOCK_SKEW_MS (positive: ahead). Only the
// JavaScript clock moves; file times still come from the kernel, as on a machine whose clock was set wrong
// after its files were written.
const skew = Number(process.env.PLANBOT_TEST_CLOCK_SKEW_MS ?? "0");
if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
