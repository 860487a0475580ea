/**
 * Loaded into the workflow context when the worker runs with WORKFLOW_STACK_TRACES=off (the
 * bundler's preloadModules): errors and promises created by workflow code capture no stack frames.
 *
 * Why it is worth a setting: the SDK installs a promise hook in the workflow thread that records,
 * for every promise workflow code creates, the stack where it was made, each frame mapped through
 * the bundle's source map (for the Web UI's "Stack Trace" tab). A profile of bench:approvals put it
 * at about a fifth of the workflow thread's time during decisions; the SDK has no option to turn it
 * off. With no frames to capture, the hook's work is a few map writes.
 *
 * What it costs: the Stack Trace tab shows no locations, and a failure thrown by workflow code
 * carries its message without a stack. `ar replay` on the history (a replay worker without this
 * module) shows where it was thrown.
 */
Error.stackTraceLimit = 0;
