/**
 * The headless camera agent: `npm run agent -- --deployment <id>` (see lib/agent/config.ts for
 * the options and environment, README.md#camera-agent for how to run it). Analyses the cameras
 * the server leases to it until SIGINT or SIGTERM, then stops ffmpeg, disconnects and exits 0.
 */
import { CameraAgent } from '@/lib/agent/agent';
import { AGENT_USAGE, parseAgentConfig } from '@/lib/agent/config';
import { checkFfmpeg } from '@/lib/agent/ffmpeg';

async function main(): Promise<void> {
  const parsed = parseAgentConfig(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(AGENT_USAGE);
      process.exit(0);
    }
    console.error(`${parsed.error}\n\n${AGENT_USAGE}`);
    process.exit(2);
  }
  try {
    console.log(`${new Date().toISOString()} ${checkFfmpeg()}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }

  const { config } = parsed;
  let exiting = false;
  const agent = new CameraAgent({
    ...config,
    onFatal: (message) => {
      console.error(message);
      void shutdown(3);
    },
  });
  const shutdown = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await agent.stop();
    console.log(`${new Date().toISOString()} stopped`);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  await agent.start();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
