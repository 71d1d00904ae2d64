using Orchestrator.Contracts;

namespace Orchestrator.Worker;

/// <summary>A step failed for good, for a reason the task's error reports (<see cref="ErrorTypes"/>).</summary>
public sealed class ResearchStepException(string errorType, string message) : Exception(message)
{
    public string ErrorType { get; } = errorType;
}
