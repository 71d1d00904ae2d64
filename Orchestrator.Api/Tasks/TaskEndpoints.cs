using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Api.Tasks;

public static class TaskEndpoints
{
    /// <summary>Bodies above this size are refused with 413 before they are read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags("Tasks");

        tasks.MapPost("", Submit)
            .Accepts<SubmitTaskRequest>("application/json")
            .WithSummary("Create a research task; it runs in the background");
        tasks.MapGet("/{taskId}", Get)
            .WithSummary("A task's status, spending, report and error");
        tasks.MapGet("/{taskId}/report", GetReport)
            .Produces<string>(StatusCodes.Status200OK, "text/markdown")
            .WithSummary("The task's Markdown report, once completed");
        tasks.MapGet("/{taskId}/report.html", GetReportHtml)
            .AddEndpointFilter(ReportPage.WithSecurityHeaders)
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .WithSummary("The task's report rendered for a browser, once completed");
        tasks.MapPost("/{taskId}/cancel", Cancel)
            .WithSummary("Cancel an unfinished task; it ends Cancelled once no payment is in flight");
        return app;
    }

    static async Task<Results<Ok<SubmitTaskResponse>, JsonHttpResult<ValidationErrorResponse>, JsonHttpResult<DetailResponse>>> Submit(
        HttpRequest request, TaskIntake intake, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
            return TypedResults.Json(new DetailResponse("Request body too large"), statusCode: StatusCodes.Status413PayloadTooLarge);

        if (!SubmitTaskRequestReader.TryRead(body, out var task, out var errors))
            return TypedResults.Json(new ValidationErrorResponse(errors), statusCode: StatusCodes.Status422UnprocessableEntity);

        return await intake.SubmitAsync(task, cancellationToken) is { } taskId
            ? TypedResults.Ok(new SubmitTaskResponse(taskId.ToString()))
            : TypedResults.Json(new DetailResponse("The task could not be accepted now; try again later"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    static async Task<Results<Ok<TaskView>, NotFound<DetailResponse>>> Get(
        string taskId, OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var task = await FindAsync(db, taskId, cancellationToken, withPlan: true);
        return task is null ? TaskNotFound() : TypedResults.Ok(TaskView.From(task));
    }

    static Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> GetReport(
        string taskId, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        ReportAsync(db, taskId, task => TypedResults.Text(task.ReportMarkdown, "text/markdown; charset=utf-8"), cancellationToken);

    static Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> GetReportHtml(
        string taskId, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        ReportAsync(db, taskId, task => TypedResults.Text(ReportPage.Render(task.Theme, task.ReportMarkdown!), "text/html; charset=utf-8"), cancellationToken);

    static async Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> ReportAsync(
        OrchestratorDbContext db, string taskId, Func<ResearchTaskState, ContentHttpResult> render, CancellationToken cancellationToken)
    {
        var task = await FindAsync(db, taskId, cancellationToken);
        if (task is null)
            return TaskNotFound();
        if (task.ReportMarkdown is null)
            return TypedResults.Conflict(new DetailResponse($"The report is not ready: the task is {task.CurrentState}"));

        return render(task);
    }

    static async Task<Results<Accepted<TaskView>, NotFound<DetailResponse>, Conflict<DetailResponse>, JsonHttpResult<DetailResponse>>> Cancel(
        string taskId, OrchestratorDbContext db, TaskIntake intake, CancellationToken cancellationToken)
    {
        var task = await FindAsync(db, taskId, cancellationToken);
        if (task is null)
            return TaskNotFound();
        if (ResearchTaskState.IsFinal(task.CurrentState))
            return TypedResults.Conflict(new DetailResponse($"The task is already {task.CurrentState}"));

        return await intake.CancelAsync(task.CorrelationId, cancellationToken)
            ? TypedResults.Accepted($"/tasks/{task.CorrelationId}", TaskView.From(task))
            : TypedResults.Json(new DetailResponse("The cancellation could not be accepted now; try again later"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    static Task<ResearchTaskState?> FindAsync(OrchestratorDbContext db, string taskId, CancellationToken cancellationToken, bool withPlan = false)
    {
        if (!Guid.TryParse(taskId, out var id))
            return Task.FromResult<ResearchTaskState?>(null);

        var tasks = db.ResearchTasks.AsNoTracking();
        return (withPlan ? tasks : tasks.IgnoreAutoIncludes()).FirstOrDefaultAsync(t => t.CorrelationId == id, cancellationToken);
    }

    static NotFound<DetailResponse> TaskNotFound() => TypedResults.NotFound(new DetailResponse("Task not found"));
}
