// The `labels` and `annotations` inputs, as the runner passes them (INPUT_LABELS: the multi-line
// text of the `with:` block): checked by the same rules as build-config.yaml, one-line errors.
import { readInputs } from '../../src/action/inputs.js';
import { UserError } from '../../src/core/problem.js';

describe('the labels and annotations inputs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads KEY=VALUE lines (blank lines skipped, CRLF tolerated); empty inputs are empty maps', () => {
    process.env.INPUT_LABELS = 'com.example.team=platform\r\n\norg.opencontainers.image.vendor=Example, Inc.\n';
    process.env.INPUT_ANNOTATIONS = 'com.example.note=--privileged=true';
    const inputs = readInputs();
    expect(inputs.labels).toEqual({ 'com.example.team': 'platform', 'org.opencontainers.image.vendor': 'Example, Inc.' });
    expect(inputs.annotations).toEqual({ 'com.example.note': '--privileged=true' });
    delete process.env.INPUT_LABELS;
    delete process.env.INPUT_ANNOTATIONS;
    expect(readInputs()).toMatchObject({ labels: {}, annotations: {} });
  });

  it.each([
    ['INPUT_LABELS', 'no-equals-sign', 'input labels: expected KEY=VALUE, got `no-equals-sign`'],
    ['INPUT_ANNOTATIONS', 'manifest:com.example.a=1', 'input annotations: a key is letters and digits joined by single . _ or -'],
    [
      'INPUT_LABELS',
      'org.opencontainers.image.revision=0000000',
      'input labels: org.opencontainers.image.revision is set by hephy-builder',
    ],
  ])('%s=%j fails with a one-line UserError', (variable, value, message) => {
    process.env[variable] = value;
    expect(() => readInputs()).toThrow(UserError);
    expect(() => readInputs()).toThrow(message);
  });
});
