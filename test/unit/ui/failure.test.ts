/** Failures in words: the owner's terms first, the tool's output once; and patterns browsers accept. */
import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../../worker/ui/failure';
import { SLUG_PATTERN } from '../../../worker/validation';

const ID = 'a3f1c2d4e5b6'.padEnd(64, '0f');

describe('explainFailure', () => {
  it('says which port is taken, and keeps the compose output once with container ids shortened', () => {
    const raw = [
      `Creating ${ID} ... error`,
      `ERROR: for hello  Cannot start service web: driver failed programming external connectivity on endpoint hello (${ID}): Bind for 0.0.0.0:35001 failed: port is already allocated`,
      `ERROR: for hello  Cannot start service web: driver failed programming external connectivity on endpoint hello (${ID}): Bind for 0.0.0.0:35001 failed: port is already allocated`,
      `Creating ${ID} ... error`,
    ].join('\n');
    const e = explainFailure(raw);
    expect(e.summary).toBe('Port 35001 is already used by another program on the HDA.');
    expect(e.raw.split('\n')).toHaveLength(2);
    expect(e.raw).not.toContain(ID);
    expect(e.raw).toContain(ID.slice(0, 12));
  });

  it("says the agent's port check and Docker's CPU refusal in the owner's terms", () => {
    expect(explainFailure('install failed at step ports: port 8089 is used by another program on the HDA; choose another port for hello').summary).toBe(
      'Port 8089 is already used by another program on the HDA.',
    );
    expect(
      explainFailure('reconfigure failed at step up: Error response from daemon: Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available')
        .summary,
    ).toBe('The HDA has 2 CPUs; the CPU limit asked for more.');
  });

  it('names a container name in use and a missing image', () => {
    expect(explainFailure('Conflict. The container name "/hello" is already in use by container "abc".').summary).toBe(
      'A container named “hello” already exists on the HDA.',
    );
    expect(explainFailure('pull access denied for example/nope, repository does not exist').summary).toBe(
      'The image example/nope could not be found in its registry.',
    );
  });

  it('keeps a short one-line reason as it is, with nothing to unfold', () => {
    expect(explainFailure('the safety policy refused privileged')).toEqual({ summary: 'the safety policy refused privileged', raw: '' });
    expect(explainFailure(null).summary).toBe('No reason was given.');
  });
});

describe('HTML patterns', () => {
  it('compile with the v flag Chromium uses for pattern attributes, and match like the API', () => {
    const re = new RegExp(`^(?:${SLUG_PATTERN})$`, 'v');
    expect(['hello', 'my-app', 'a1'].every((s) => re.test(s))).toBe(true);
    expect(['-x', 'x-', 'Hello', 'a_b'].some((s) => re.test(s))).toBe(false);
  });
});
