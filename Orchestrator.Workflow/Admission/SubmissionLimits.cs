namespace Orchestrator.Workflow.Admission;

/// <summary>
/// The per-owner limits on new tasks that are counted in the database, so that they hold over every host and both
/// ways in: how long an owner whose tasks failed voice authentication too often must wait, and (for the bus intake,
/// which has no HTTP rate limiter in front of it) whether an owner recorded its minute's worth of tasks already.
/// </summary>
public sealed class SubmissionLimits(OrchestratorDbContext db, IOptions<RateLimitOptions> limits, TimeProvider clock)
{
    static readonly TimeSpan AuthFailureWindow = TimeSpan.FromHours(1);
    static readonly TimeSpan TaskRateWindow = TimeSpan.FromMinutes(1);

    /// <summary>When refused for guesses not known yet: about the time a task takes to reach its token step.</summary>
    static readonly TimeSpan UnprovenGuessWait = TimeSpan.FromMinutes(1);

    public const string TooManyTasks = "Too many new tasks from this owner in the last minute; try again later";
    public const string TooManyVoiceFailures = "Too many of this owner's tasks failed voice authentication in the last hour; try again later";

    /// <summary>
    /// How long the owner must wait before a task with <paramref name="voiceId"/>, so that voice ids cannot be
    /// guessed; null when they may submit it. A guess is a task of theirs that ended in <c>AuthenticationError</c>
    /// within the hour, or another voice id among their tasks that have not passed the token step yet (the voice id
    /// is stored with a task until then, and compared where it is stored: it is never read back). At most
    /// <see cref="RateLimitOptions.AuthFailuresPerHour"/> guesses, failed or not known yet, at once: sixty guesses
    /// sent in a minute are not all accepted before the first fails, and more tasks with one voice id count once.
    /// </summary>
    public async Task<TimeSpan?> VoiceGuessingPauseAsync(string ownerId, string voiceId, CancellationToken cancellationToken)
    {
        var limit = limits.Value.AuthFailuresPerHour;
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - AuthFailureWindow;
        var failures = await db.UntrackedTasks
            .Where(t => t.OwnerId == ownerId && t.ErrorType == ErrorTypes.AuthenticationError && t.CompletedAt > since)
            .OrderByDescending(t => t.CompletedAt)
            .Select(t => t.CompletedAt!.Value)
            .Take(limit)
            .ToListAsync(cancellationToken);
        if (failures.Count >= limit)
            return failures[^1] + AuthFailureWindow - now;

        var unproven = await db.UntrackedTasks
            .Where(t => t.OwnerId == ownerId && t.VoiceId != null && t.VoiceId != voiceId)
            .Select(t => t.VoiceId)
            .Distinct()
            .Take(limit - failures.Count)
            .CountAsync(cancellationToken);
        return failures.Count + unproven < limit ? null : UnprovenGuessWait;
    }

    /// <summary>
    /// Whether the owner recorded <see cref="RateLimitOptions.TasksPerMinute"/> tasks within the last minute (a
    /// sliding window). Tasks refused on arrival do not count (they end the instant they are recorded), so a
    /// publisher that keeps sending too fast still gets its minute's worth through.
    /// </summary>
    public async Task<bool> OverTaskRateAsync(string ownerId, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().UtcDateTime - TaskRateWindow;
        var recorded = await db.UntrackedTasks
            .Where(t => t.OwnerId == ownerId && t.CreatedAt > since && (t.CompletedAt == null || t.CompletedAt != t.CreatedAt))
            .Take(limits.Value.TasksPerMinute)
            .CountAsync(cancellationToken);
        return recorded >= limits.Value.TasksPerMinute;
    }
}
