import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR } from '@/lib/face/detection-scheduler';

/**
 * The camera agent's settings from its command line and environment (`npm run agent -- …`).
 * The API key is read from the environment only: a command line is visible to every user of the
 * machine (ps) and lands in shell histories.
 */

export const AGENT_USAGE = `Usage: npm run agent -- --deployment <id> [--deployment <id> …] [--fps <n>] [--max-width <px>] [--detector-input <px>]

Analyses the cameras of live deployments with ffmpeg and face detection, without a browser,
and sends what it sees to Sightline as a service account.

Options:
  --deployment <id>   a deployment to analyse (repeatable; or SIGHTLINE_AGENT_DEPLOYMENTS=id1,id2)
  --fps <n>           frames analysed per second per camera, at most (default 5, 1–15)
  --max-width <px>    frames wider than this are scaled down before detection (default 1280)
  --detector-input <px>  the face detector's input size, a multiple of 32 from 128 to 608 (default 320,
                      as in the browser; smaller is faster and misses more small faces)
  --help              this text

Environment:
  SIGHTLINE_URL                 Sightline's address (default http://localhost:3000)
  SIGHTLINE_AGENT_KEY           the service account's API key (required; never on the command line)
  SIGHTLINE_AGENT_DEPLOYMENTS   deployment ids, comma-separated (added to --deployment)

Needs ffmpeg: apt-get install ffmpeg`;

export type ParsedAgentConfig = { url: string; key: string; deploymentIds: string[]; fps: number; maxWidth: number; detectorInputSize: number };

export type AgentConfigResult = { ok: true; config: ParsedAgentConfig } | { ok: false; help: true } | { ok: false; help: false; error: string };

const DEFAULT_URL = 'http://localhost:3000';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseAgentConfig(argv: string[], env: Record<string, string | undefined>): AgentConfigResult {
  let values: { deployment?: string[]; fps?: string; 'max-width'?: string; 'detector-input'?: string; help?: boolean; key?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        deployment: { type: 'string', multiple: true },
        fps: { type: 'string' },
        'max-width': { type: 'string' },
        'detector-input': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        // Recognised only to refuse it with a reason, rather than as an unknown option.
        key: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, help: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { ok: false, help: true };
  if (values.key !== undefined) {
    return {
      ok: false,
      help: false,
      error: 'The API key is not accepted on the command line (other users can read it there); set SIGHTLINE_AGENT_KEY instead.',
    };
  }

  const key = env.SIGHTLINE_AGENT_KEY?.trim();
  if (!key)
    return {
      ok: false,
      help: false,
      error: 'SIGHTLINE_AGENT_KEY is not set: give the agent the API key of a service account (an administrator creates one under Service accounts).',
    };

  const url = (env.SIGHTLINE_URL?.trim() || DEFAULT_URL).replace(/\/$/, '');
  try {
    if (!['http:', 'https:'].includes(new URL(url).protocol)) throw new Error();
  } catch {
    return { ok: false, help: false, error: `SIGHTLINE_URL must be an http(s) address, such as ${DEFAULT_URL}.` };
  }

  const fromEnv = (env.SIGHTLINE_AGENT_DEPLOYMENTS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const deploymentIds = [...new Set([...(values.deployment ?? []).map((id) => id.trim()), ...fromEnv])];
  if (deploymentIds.length === 0)
    return { ok: false, help: false, error: 'Name at least one deployment: --deployment <id>, or SIGHTLINE_AGENT_DEPLOYMENTS=id1,id2.' };
  const badId = deploymentIds.find((id) => !ID.test(id));
  if (badId !== undefined) return { ok: false, help: false, error: `"${badId}" is not a deployment id (letters, digits, - and _ only).` };

  const fps = values.fps === undefined ? 5 : Number(values.fps);
  if (!Number.isFinite(fps) || fps < 1 || fps > 15) return { ok: false, help: false, error: '--fps must be a number from 1 to 15.' };
  const maxWidth = values['max-width'] === undefined ? 1280 : Number(values['max-width']);
  if (!Number.isInteger(maxWidth) || maxWidth < 160 || maxWidth > 3840)
    return { ok: false, help: false, error: '--max-width must be a whole number of pixels from 160 to 3840.' };

  const detectorInputSize = values['detector-input'] === undefined ? DEFAULT_DETECTOR.inputSize : Number(values['detector-input']);
  if (!Number.isInteger(detectorInputSize) || detectorInputSize < 128 || detectorInputSize > 608 || detectorInputSize % 32 !== 0) {
    return { ok: false, help: false, error: '--detector-input must be a multiple of 32 from 128 to 608.' };
  }

  return { ok: true, config: { url, key, deploymentIds, fps, maxWidth, detectorInputSize } };
}
