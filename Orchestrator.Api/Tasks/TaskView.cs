using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Api.Tasks;

public sealed record SubmitTaskResponse(string TaskId);

public sealed record DetailResponse(string Detail);

/// <summary>The seed's error response format.</summary>
public sealed record TaskError(string Error, string Message, string TaskId, DateTimeOffset Timestamp);

public sealed record TaskView(
    string TaskId,
    string Status,
    string Theme,
    int Budget,
    int Spent,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Report,
    TaskError? Error)
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
            : new TaskError(task.ErrorType, task.ErrorMessage ?? "", task.CorrelationId.ToString(), Utc(task.CompletedAt ?? task.UpdatedAt)));

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
