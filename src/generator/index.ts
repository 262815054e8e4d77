// The workflow generator's public surface, for the CLI (`init`, `generate --check|--write`) and
// for tests that run the workflows with act.
export {
  renderReusableWorkflow,
  renderCallerWorkflow,
  renderCiWorkflow,
  resolveCallerOptions,
  readMarker,
  CALLER_DEFAULTS,
  type CallerWorkflowOptions,
  type VariantOptions,
  type WorkflowVariant,
  type SecretsMode,
  type GeneratedKind,
} from './render.js';
export { renderStarterConfig } from './starterConfig.js';
export {
  initRepo,
  checkGenerated,
  writeGenerated,
  writeFileAtomic,
  defaultBranch,
  CALLER_WORKFLOW_PATH,
  PROJECT_WORKFLOWS,
  ARM64_NOTE,
  type AppDetection,
  type InitOptions,
  type InitResult,
  type CheckResult,
  type WrittenFile,
} from './files.js';
export { unifiedDiff } from './diff.js';
