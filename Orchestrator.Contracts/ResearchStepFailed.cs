namespace Orchestrator.Contracts;

/// <summary>
/// A step of the workflow failed for good. <paramref name="ErrorType"/> is one of the seed's error types:
/// <see cref="ErrorTypes"/>.
/// </summary>
public sealed record ResearchStepFailed(Guid TaskId, string ErrorType, string Message);

public static class ErrorTypes
{
    public const string WorkflowError = nameof(WorkflowError);
    public const string PaymentError = nameof(PaymentError);
    public const string DataError = nameof(DataError);
    public const string AuthenticationError = nameof(AuthenticationError);
}
