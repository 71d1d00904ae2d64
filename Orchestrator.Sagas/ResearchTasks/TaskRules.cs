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

    /// <summary>
    /// What the owner ids named on the bus are recorded under (<c>bus:alice</c>), unless the publisher is trusted to
    /// name any owner: so a publisher cannot act as a user of the Api.
    /// </summary>
    public const string BusOwnerPrefix = "bus:";

    /// <summary>The longest <c>ownerId</c> that still fits its column once <see cref="BusOwnerPrefix"/> is put before it.</summary>
    public const int MaxNamespacedOwnerIdLength = MaxOwnerIdLength - 4;

    /// <summary>Whether an owner id is in the bus's namespace: a task published onto the bus, never a caller of the Api.</summary>
    public static bool IsBusOwner(string ownerId) => ownerId == BusOwner || ownerId.StartsWith(BusOwnerPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The owner recorded for a task from the bus: <c>bus:</c> and its <c>ownerId</c>, that id as it is when the
    /// publisher is trusted to name owners (<paramref name="trustOwnerId"/>), or <see cref="BusOwner"/> without one.
    /// </summary>
    public static string OwnerOf(TaskSubmitted task, bool trustOwnerId) => task.OwnerId switch
    {
        null => BusOwner,
        var owner when trustOwnerId => owner,
        var owner => BusOwnerPrefix + owner,
    };

    /// <summary>The first problem of a submitted task, or null when it can run.</summary>
    public static string? Check(TaskSubmitted task, bool trustOwnerId = false) => task switch
    {
        { Budget: <= 0 } => BudgetNotPositive,
        { Budget: > int.MaxValue } => $"Budget must be at most {int.MaxValue}",
        _ when string.IsNullOrWhiteSpace(task.Theme) => BlankTheme,
        { Theme.Length: > MaxThemeLength } => $"Theme must have at most {MaxThemeLength} characters",
        _ when string.IsNullOrWhiteSpace(task.VoiceId) => BlankVoiceId,
        { VoiceId.Length: > MaxVoiceIdLength } => $"Voice id must have at most {MaxVoiceIdLength} characters",
        { OwnerId.Length: > MaxOwnerIdLength } => $"Owner id must have at most {MaxOwnerIdLength} characters",
        { OwnerId.Length: > MaxNamespacedOwnerIdLength } when !trustOwnerId => $"Owner id must have at most {MaxNamespacedOwnerIdLength} characters",
        { OwnerId: { } owner } when string.IsNullOrWhiteSpace(owner) => "Owner id cannot be blank",
        _ => null,
    };
}
