namespace Orchestrator.Contracts;

/// <summary>
/// A step failed for now: the service answered 5xx, timed out or its circuit was open after the HTTP retries. The
/// task stays where it is and tries the step again later, with backoff (the due time is kept in the database),
/// until <c>WORKFLOW_TIMEOUT</c>; only then does it fail, with this error.
/// </summary>
public sealed record ResearchStepDeferred(Guid TaskId, string ErrorType, string Message);

/// <summary>The due time of a deferred step has passed: the task repeats the step it waits on.</summary>
public sealed record DeferredStepDue(Guid TaskId);
