namespace Orchestrator.Contracts;

/// <summary>
/// Ask an unfinished task to repeat the step its state waits on, after a crash may have lost the message in
/// flight. Every step is idempotent, so a task that was not stalled at all loses nothing by it.
/// </summary>
public sealed record ResumeTask(Guid TaskId);
