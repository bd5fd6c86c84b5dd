// chainsmith's public API: the chain library (parse, choose, render, judge, explain), the
// probe that reads what a TLS endpoint serves, and the Pulumi components and resources.
export { Certificate, uniqueCertificates } from "./chain/certificate";
export { ChainsmithInputError, ChainBuildError } from "./chain/errors";
export { parseCertificates } from "./chain/parse";
export { parsePrivateKey, assertKeyMatchesLeaf, keySpkiSha256 } from "./chain/key";
export { readPfx, type PfxContents } from "./chain/pfx-read";
export { writePfx, type PfxOptions, type PfxProfile } from "./chain/pfx-write";
export { enumeratePaths, searchPaths, type CertPath, type PathOptions, type BudgetLimits } from "./chain/paths";
export { choosePath, parsePolicy, policySpec, type Policy, type Candidate, type ChainChoice, type ChooseOptions } from "./chain/policy";
export { loadProfile, profileFromFile, checkServedChain, type ClientProfile, type ProfileVerdict } from "./chain/profiles";
export { renderFiles, type RenderedFiles } from "./chain/render";
export { judgeServed, type Finding, type FindingCode, type Judgement, type JudgeOptions, type Severity } from "./chain/judge";
export { renderExplanation, renderExplanationMarkdown } from "./chain/explain";
export { probe, type ProbeOptions, type ProbeResult, type ProbeTimings } from "./probe/probe";
export { probeMany, type ProbeOutcome, type ProbeManyOptions } from "./probe/probe-many";
export { ProbeError } from "./probe/errors";
export { CertificateDeployment, type CertificateDeploymentArgs, type ChainCertificate, type CompatibilityEntry, type Rollout, type TargetStatus } from "./components/certificate-deployment";
export type { TargetArgs, LocalTargetArgs, LinuxTargetArgs, IisTargetArgs, AzureVmTargetArgs, AppServiceTargetArgs, EndpointArgs } from "./components/targets";
export type { Endpoint } from "./probe/endpoint";
export type { DeepInput, InputsOf } from "./providers/deep-input";
export { ServedChainCheck, type EndpointReport, type ProfileInput, type ServedChainCheckInputs } from "./providers/served-chain/resource";
export { LinuxTlsFiles, type LinuxFilesInputs } from "./providers/linux/resource";
export { IisCertificate, type IisTargetInputs } from "./providers/windows/resource";
