namespace Orchestrator.Api.Tasks;

/// <summary>How <c>POST /tasks</c> keeps what it was sent (<c>Intake:*</c>).</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";
    public const string SubmissionKeyName = "Intake:SubmissionKey";
    public const int MinSubmissionKeyBytes = 32;

    /// <summary>
    /// The server's secret for the hash stored beside an <c>Idempotency-Key</c> (HMAC-SHA256 of the body, which holds
    /// the voice id), at least 32 bytes. Required unless the Api runs embedded, where one is generated and kept in
    /// the data folder. Every Api of one database needs the same key.
    /// </summary>
    public string? SubmissionKey { get; set; }
}
