/**
 * Verified AI fixes: ask any OpenAI-compatible model for candidate fixes of a finding, verify each by
 * re-diagnosing it in memory, offer only those that remove the finding and add no error, and learn
 * from what the user accepts. Hosts (the language server, the registry's debug engine) inject the
 * re-diagnosis and keep the learning file; nothing here knows about editors or protocols.
 */
export { applyLineEdits, applyUnifiedDiff, CANDIDATES_SCHEMA, CandidateFormatError, parseCandidates, type Candidate, type LineEdit } from './candidate-parser';
export { buildFixPrompt, typesTouched, type ChatMessage, type FixPromptInput } from './fix-prompt';
export { LearningStore, type FixOutcome, type FixOutcomeKind, type RuleStats } from './learning-store';
export { createOpenAiFixModel, type FixModel, type LlmEndpoint } from './llm-client';
export { changedLines, suggestVerifiedFix, type Diagnose, type FixProgress, type SuggestFixOptions, type SuggestFixResult, type VerifiedFix } from './verified-fix';
