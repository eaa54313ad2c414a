/** The catalog's public API: script parsing, compose conversion, rendering, policy, signing. */
export type { Finding, Severity, VersionStatus } from './types';
export { CatalogError, ComposeError, PlaceholderError, ScriptError, SignatureError } from './errors';
export {
  DEFAULT_WEBAPP_ROOT,
  hostnameProblem,
  isValidDnsLabel,
  isValidHostname,
  PLACEHOLDER_NAMES,
  SAMPLE_INSTALL_VARS,
  validateInstallVars,
  webappPathProblem,
} from './placeholders';
export { hasPlaceholder, renderCompose, renderFile } from './render';
export { COMPOSE_FILE_NAMES, isSupportedStep, parseInstallScript, parseUninstallScript, SUPPORTED_STEP_KINDS, type ParsedScript } from './script';
export { parseCompose, type ComposeDoc, type ComposeFormat, type ComposeSpec } from './compose';
export { listHostPorts, parsePort, servicePorts, type PortMapping } from './ports';
export { checkPolicy, isWaivable, POLICY_RULES, WAIVABLE_RULES, type PolicyOptions, type PolicyRule } from './policy';
export { readCompose, type ComposeModel } from '../compose/model';
export { normalizeVersion, statusOf, type NormalizeInput, type NormalizeResult } from './normalize';
export { canonicalJson, generateSigningKey, signVersion, verifyVersion, VERSION_JWS_TYP, type SigningAlg } from './signing';
export { appRelativePath, isWithin, normalizePosix } from './paths';
