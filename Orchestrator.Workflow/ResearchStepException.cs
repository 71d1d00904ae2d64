namespace Orchestrator.Workflow;

/// <summary>
/// A step failed for good, for a reason the task's error reports (<see cref="ErrorTypes"/>).
/// <see cref="Transient"/>: the service did not answer or failed (timeout, 5xx) after every retry, so whether a
/// request with an effect took effect is unknown.
/// </summary>
public sealed class ResearchStepException(string errorType, string message, bool transient = false) : Exception(message)
{
    public string ErrorType { get; } = errorType;

    public bool Transient { get; } = transient;
}
