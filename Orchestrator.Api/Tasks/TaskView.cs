using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Api.Tasks;

public sealed record SubmitTaskResponse(string TaskId);

public sealed record DetailResponse(string Detail);

/// <summary>The seed's error response format.</summary>
public sealed record TaskError(string Error, string Message, string TaskId, DateTimeOffset Timestamp);

/// <summary>One candidate source of the task's purchase plan: <c>status</c> is its purchase status.</summary>
public sealed record PlanItem(int Item, string Title, long Price, double Score, string Status);

public sealed record TaskView(
    string TaskId,
    string Status,
    string Theme,
    long Budget,
    long Spent,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Report,
    TaskError? Error,
    IReadOnlyList<PlanItem> Plan,
    string? TraceId)
{
    public static TaskView From(ResearchTaskState task) => new(
        task.CorrelationId.ToString(),
        task.CurrentState,
        task.Theme,
        task.Budget,
        task.Spent,
        Utc(task.CreatedAt),
        Utc(task.UpdatedAt),
        task.ReportMarkdown,
        task.ErrorType is null
            ? null
            : new TaskError(task.ErrorType, task.ErrorMessage ?? "", task.CorrelationId.ToString(), Utc(task.CompletedAt ?? task.UpdatedAt)),
        [.. task.Purchases
            .OrderByDescending(p => p.Score).ThenBy(p => p.ItemId)
            .Select(p => new PlanItem(p.ItemId, p.Title, p.Price, p.Score, p.Status.ToString()))],
        task.TraceId);

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
