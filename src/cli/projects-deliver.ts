import { createDeliveryPort } from "../deliver/deliver-again.ts";
import { createLogger } from "../log.ts";
import type { CoreServices } from "../projects/core-services.ts";
import type { Failure } from "../projects/result.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

/**
 * `planbot projects deliver <slug>`: delivers a finished run's work again (push, draft pull request) as
 * `/deliver` does, and prints how it went in the operator's words — git's and GitHub's summary and the
 * whole hint. A delivery that failed exits 1; a refusal (nothing to deliver) goes through `failed`.
 */
export async function runProjectsDeliver(
  slug: string,
  json: boolean,
  services: CoreServices,
  io: CliIo,
  failed: (failure: Failure) => number,
): Promise<number> {
  const { config } = services;
  const port = createDeliveryPort({
    store: services.store,
    lister: services.lister,
    lifecycle: services.lifecycle,
    config,
    // The printed summary is the result; the log only adds errors, on stderr.
    log: createLogger("error", 2, config.logFormat),
    now: () => services.clock.now().toISOString(),
  });
  const result = await port.deliverAgain(slug);
  if (!result.ok) return failed(result);
  const { record } = result;
  const delivery = record.delivery;
  if (!delivery) return failed({ ok: false, code: "execute_failed", message: `${record.slug} was not delivered.` });
  if (json) io.out(JSON.stringify({ delivery, pull_request: record.pull_request }, null, 2));
  else io.out(`${record.slug}: ${delivery.summary}`);
  if (!delivery.ok && delivery.hint && !json) io.err(`hint: ${delivery.hint}`);
  return delivery.ok ? EXIT.ok : EXIT.failure;
}
