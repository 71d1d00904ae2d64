using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>What a task must be, however it arrives: the HTTP API and the bus intake apply the same limits.</summary>
public static class TaskRules
{
    public const int MaxThemeLength = 2000;
    public const int MaxVoiceIdLength = 256;
    public const int MaxOwnerIdLength = 256;
    public const int MaxSubmissionKeyLength = 200;

    /// <summary>The owner of a task published onto the bus without an <c>ownerId</c>.</summary>
    public const string BusOwner = "bus";

    /// <summary>The first problem of a submitted task, or null when it can run.</summary>
    public static string? Check(TaskSubmitted task) => task switch
    {
        { Budget: <= 0 } => "Budget must be positive",
        { Budget: > int.MaxValue } => $"Budget must be at most {int.MaxValue}",
        _ when string.IsNullOrWhiteSpace(task.Theme) => "Theme cannot be empty",
        { Theme.Length: > MaxThemeLength } => $"Theme must have at most {MaxThemeLength} characters",
        _ when string.IsNullOrWhiteSpace(task.VoiceId) => "Voice id cannot be empty",
        { VoiceId.Length: > MaxVoiceIdLength } => $"Voice id must have at most {MaxVoiceIdLength} characters",
        { OwnerId.Length: > MaxOwnerIdLength } => $"Owner id must have at most {MaxOwnerIdLength} characters",
        { OwnerId: { } owner } when string.IsNullOrWhiteSpace(owner) => "Owner id cannot be blank",
        _ => null,
    };
}
