using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>What a task must be, however it arrives: the HTTP API and the bus intake apply the same limits.</summary>
public static class TaskRules
{
    public const int MaxThemeLength = 2000;
    public const int MaxVoiceIdLength = 256;
    public const int MaxOwnerIdLength = 256;
    public const int MaxSubmissionKeyLength = 200;

    // The rules' words, which pydantic's validators in the seed used too: the HTTP reader answers with them as well.
    public const string BudgetNotPositive = "Budget must be positive";
    public const string BlankTheme = "Theme cannot be empty";
    public const string BlankVoiceId = "Voice id cannot be empty";

    /// <summary>The owner of a task published onto the bus without an <c>ownerId</c>.</summary>
    public const string BusOwner = "bus";

    /// <summary>The first problem of a submitted task, or null when it can run.</summary>
    public static string? Check(TaskSubmitted task) => task switch
    {
        { Budget: <= 0 } => BudgetNotPositive,
        { Budget: > int.MaxValue } => $"Budget must be at most {int.MaxValue}",
        _ when string.IsNullOrWhiteSpace(task.Theme) => BlankTheme,
        { Theme.Length: > MaxThemeLength } => $"Theme must have at most {MaxThemeLength} characters",
        _ when string.IsNullOrWhiteSpace(task.VoiceId) => BlankVoiceId,
        { VoiceId.Length: > MaxVoiceIdLength } => $"Voice id must have at most {MaxVoiceIdLength} characters",
        { OwnerId.Length: > MaxOwnerIdLength } => $"Owner id must have at most {MaxOwnerIdLength} characters",
        { OwnerId: { } owner } when string.IsNullOrWhiteSpace(owner) => "Owner id cannot be blank",
        _ => null,
    };
}
