namespace Orchestrator.Worker;

/// <summary>A submitted task that cannot even be recorded (it has no id): its message goes to the error queue.</summary>
public sealed class InvalidTaskException(string message) : Exception(message);
