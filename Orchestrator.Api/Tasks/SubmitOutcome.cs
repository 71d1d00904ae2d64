namespace Orchestrator.Api.Tasks;

/// <summary>What became of a submission (<see cref="TaskIntake.SubmitAsync"/>).</summary>
public abstract record SubmitOutcome
{
    /// <summary>The task is recorded (or was, under the same <c>Idempotency-Key</c> and body).</summary>
    public sealed record Recorded(Guid TaskId) : SubmitOutcome;

    /// <summary>The <c>Idempotency-Key</c> was used for another body.</summary>
    public sealed record KeyReused : SubmitOutcome;

    /// <summary>Too many recorded tasks wait to start: nothing was recorded; try again after <paramref name="RetryAfter"/>.</summary>
    public sealed record Overloaded(TimeSpan RetryAfter) : SubmitOutcome;

    /// <summary>
    /// Too many of the caller's voice ids failed authentication within the hour or are not proven yet: nothing was
    /// recorded; try again after <paramref name="RetryAfter"/>.
    /// </summary>
    public sealed record VoiceGuessing(TimeSpan RetryAfter) : SubmitOutcome;
}
