import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '@/lib/agent/config';

const KEY = { SIGHTLINE_AGENT_KEY: 'slk_key1_secret' };

describe('the camera agent command line', () => {
  it('takes deployments from --deployment (repeatable) and SIGHTLINE_AGENT_DEPLOYMENTS, with defaults', () => {
    expect(parseAgentConfig(['--deployment', 'd1', '--deployment', 'd2'], { ...KEY, SIGHTLINE_AGENT_DEPLOYMENTS: 'd2, d3' })).toEqual({
      ok: true,
      config: { url: 'http://localhost:3000', key: 'slk_key1_secret', deploymentIds: ['d1', 'd2', 'd3'], fps: 5, maxWidth: 1280, detectorInputSize: 320 },
    });
    expect(
      parseAgentConfig(['--fps', '8', '--max-width', '640'], { ...KEY, SIGHTLINE_AGENT_DEPLOYMENTS: 'd1', SIGHTLINE_URL: 'https://sightline.example/' }),
    ).toMatchObject({
      ok: true,
      config: { url: 'https://sightline.example', fps: 8, maxWidth: 640 },
    });
  });

  it('refuses, naming the problem: no key, a key on the command line, no deployment, bad values', () => {
    const error = (argv: string[], env: Record<string, string> = KEY) => {
      const result = parseAgentConfig(argv, env);
      return result.ok || result.help ? null : result.error;
    };
    expect(error(['--deployment', 'd1'], {})).toMatch(/SIGHTLINE_AGENT_KEY is not set/);
    expect(error(['--deployment', 'd1', '--key', 'slk_x'])).toMatch(/not accepted on the command line/);
    expect(error([])).toMatch(/at least one deployment/);
    expect(error(['--deployment', 'd1', '--fps', '0'])).toMatch(/--fps must be a number from 1 to 15/);
    expect(error(['--deployment', 'd1', '--fps', 'fast'])).toMatch(/--fps/);
    expect(error(['--deployment', 'd1', '--max-width', '20'])).toMatch(/--max-width/);
    expect(error(['--deployment', '../etc'])).toMatch(/not a deployment id/);
    expect(error(['--deployment', 'd1', '--detector-input', '300'])).toMatch(/--detector-input must be a multiple of 32/);
    expect(error(['--deployment', 'd1', '--camera', 'c1'])).toMatch(/Unknown option '--camera'/);
    expect(error(['--deployment', 'd1'], { ...KEY, SIGHTLINE_URL: 'ftp://x' })).toMatch(/SIGHTLINE_URL must be an http\(s\) address/);
    expect(parseAgentConfig(['--help'], {})).toEqual({ ok: false, help: true });
  });
});
