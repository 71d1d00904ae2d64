using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Orchestrator.Api.ApiDescription;
using Orchestrator.Api.Security;
using Orchestrator.Api.Tasks.FastApiCompat;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// The task routes. Each takes the <see cref="Caller"/>: a task they do not own answers 404, as an unknown one
/// does, so that its existence is not disclosed.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>Bodies above this size are refused with 413 before they are read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public const string NotFoundMeaning = "No such task, or not one the caller may see";
    const string NotReadyMeaning = "The report is not ready: the task is not Completed";

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags(ServiceDescription.TasksTag);

        tasks.MapPost("", Submit)
            .WithName("submitTask")
            .Accepts<SubmitTaskRequest>("application/json")
            .RequireRateLimiting(ApiSecurityRegistration.SubmitPolicy)
            .WithSummary("Create a research task; it runs in the background")
            .WithDescription("The task is recorded before the answer. An `Idempotency-Key` header makes a retry safe: the same key and body give the same `task_id`.")
            .WithParameter("Idempotency-Key", "Any string chosen by the client, the same on every retry of one submission",
                schema => (schema.MinLength, schema.MaxLength) = (1, TaskRules.MaxSubmissionKeyLength))
            .Answers<DetailResponse>(StatusCodes.Status413PayloadTooLarge, $"The body is over {MaxBodyBytes / 1024} KiB")
            .Answers<ValidationErrorResponse>(StatusCodes.Status422UnprocessableEntity, "Every problem of the body (or of the `Idempotency-Key` header), in field order")
            .Answers<DetailResponse>(StatusCodes.Status429TooManyRequests, "Too many new tasks from this caller, or too many of its voice ids failed authentication in the last hour or wait to be proven")
            .Answers<DetailResponse>(StatusCodes.Status503ServiceUnavailable, "Too many tasks wait to start; nothing was recorded")
            .WithRetryAfter(StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable)
            .Describes((StatusCodes.Status200OK, "The task is recorded; it runs in the background"))
            .WithRequestExample(ApiExamples.SubmitTask)
            .WithExample(StatusCodes.Status200OK, ApiExamples.TaskSubmitted)
            .WithExample(StatusCodes.Status422UnprocessableEntity, ApiExamples.ThemeMissing);
        tasks.MapGet("", List)
            .WithName("listTasks")
            .WithSummary("The caller's tasks, newest first")
            .WithDescription("`next` is the `after` of the following page, absent on the last one.")
            .WithParameter("status", "Only tasks in this state; `Unconfirmed`: the tasks that ended with a payment whose outcome is unknown, to reconcile",
                schema => schema.Enum = [.. TaskPage.Filters.Select(state => (System.Text.Json.Nodes.JsonNode)state)])
            .WithParameter("limit", $"Tasks per page (default {TaskPage.DefaultLimit})",
                schema => (schema.Type, schema.Minimum, schema.Maximum) = (JsonSchemaType.Integer, "1", $"{TaskPage.MaxLimit}"))
            .WithParameter("after", "The `next` of the previous page: a task id of the caller's", schema => schema.Format = "uuid")
            .Answers<ValidationErrorResponse>(StatusCodes.Status422UnprocessableEntity, "A query parameter out of its range, or `after` not a task of the caller's");
        tasks.MapGet("/{taskId}", Get)
            .WithName("getTask")
            .WithSummary("A task's status, spending, plan, report and error")
            .Describes((StatusCodes.Status404NotFound, NotFoundMeaning));
        tasks.MapGet("/{taskId}/report", GetReport)
            .WithName("getTaskReport")
            .Produces<string>(StatusCodes.Status200OK, "text/markdown")
            .WithSummary("The task's Markdown report, once completed")
            .Describes((StatusCodes.Status404NotFound, NotFoundMeaning), (StatusCodes.Status409Conflict, NotReadyMeaning));
        tasks.MapGet("/{taskId}/report.html", GetReportHtml)
            .WithName("getTaskReportHtml")
            .AddEndpointFilter(ReportPage.WithSecurityHeaders)
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .WithSummary("The task's report rendered for a browser, once completed")
            .Describes((StatusCodes.Status404NotFound, NotFoundMeaning), (StatusCodes.Status409Conflict, NotReadyMeaning));
        tasks.MapGet("/{taskId}/audit", GetAudit)
            .WithName("getTaskAudit")
            .WithSummary("The task's audit trail: who did what, and every payment with its amount and key")
            .WithDescription("Oldest first, a page at a time: when more entries follow, the `Link` header gives the next page's address (`rel=\"next\"`).")
            .WithParameter("limit", $"Entries per page (default {AuditPage.DefaultLimit})",
                schema => (schema.Type, schema.Minimum, schema.Maximum) = (JsonSchemaType.Integer, "1", $"{AuditPage.MaxLimit}"))
            .WithParameter("after", "How many entries were read already (the `after` of the `Link` header's next page)",
                schema => (schema.Type, schema.Minimum) = (JsonSchemaType.Integer, "0"))
            .WithResponseHeader(StatusCodes.Status200OK, "Link", "`<address of the next page>; rel=\"next\"`, when more entries follow")
            .Answers<ValidationErrorResponse>(StatusCodes.Status422UnprocessableEntity, "A query parameter out of its range")
            .Describes((StatusCodes.Status404NotFound, NotFoundMeaning));
        tasks.MapPost("/{taskId}/cancel", Cancel)
            .WithName("cancelTask")
            .WithSummary("Cancel an unfinished task")
            .WithDescription("The task ends `Cancelled` once no payment is in flight; what was paid stays paid.")
            .Answers<DetailResponse>(StatusCodes.Status503ServiceUnavailable, "The cancellation could not be recorded now; try again")
            .Describes(
                (StatusCodes.Status202Accepted, "The cancellation is recorded; the task as it was"),
                (StatusCodes.Status404NotFound, NotFoundMeaning),
                (StatusCodes.Status409Conflict, "The task is already final"));
        return app;
    }

    static async Task<Results<Ok<SubmitTaskResponse>, JsonHttpResult<ValidationErrorResponse>, JsonHttpResult<DetailResponse>>> Submit(
        HttpRequest request, Caller caller, TaskIntake intake, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is { Length: 0 or > TaskRules.MaxSubmissionKeyLength })
            return Invalid(["header", "Idempotency-Key"], $"ensure this value has 1 to {TaskRules.MaxSubmissionKeyLength} characters", "value_error");

        var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
            return TypedResults.Json(new DetailResponse("Request body too large"), statusCode: StatusCodes.Status413PayloadTooLarge);

        if (!SubmitTaskRequestReader.TryRead(body, out var task, out var errors))
            return TypedResults.Json(new ValidationErrorResponse(errors), statusCode: StatusCodes.Status422UnprocessableEntity);

        return await intake.SubmitAsync(task, caller, idempotencyKey, cancellationToken) switch
        {
            SubmitOutcome.Recorded recorded => TypedResults.Ok(new SubmitTaskResponse(recorded.TaskId.ToString())),
            SubmitOutcome.VoiceGuessing guessing => DetailResults.TryLater(request.HttpContext, guessing.RetryAfter,
                "Too many of your voice ids failed authentication in the last hour or are not proven yet; try again later"),
            // Too many tasks wait to start: 503, the task not recorded.
            SubmitOutcome.Overloaded overloaded => DetailResults.TryLater(
                request.HttpContext, overloaded.RetryAfter, "Too many tasks are waiting to start; try again later", StatusCodes.Status503ServiceUnavailable),
            _ => Invalid(["header", "Idempotency-Key"], "this Idempotency-Key was used for another request body", "value_error"),
        };
    }

    static async Task<Results<Ok<TaskPage>, JsonHttpResult<ValidationErrorResponse>>> List(
        Caller caller, OrchestratorDbContext db, string? status, string? limit, string? after, CancellationToken cancellationToken)
    {
        var tasks = db.UntrackedTasks.VisibleTo(caller);
        if (status is not null)
        {
            if (!TaskPage.Filters.Contains(status))
                return Invalid(["query", "status"], $"value is not one of {string.Join(", ", TaskPage.Filters)}", "type_error.enum");
            tasks = status == TaskPage.Unconfirmed
                ? tasks.Where(t => TaskStates.Final.Contains(t.CurrentState) && t.Purchases.Any(p => p.Status == PurchaseStatus.Unconfirmed))
                : tasks.Where(t => t.CurrentState == status);
        }

        var size = TaskPage.DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > TaskPage.MaxLimit))
            return Invalid(["query", "limit"], $"ensure this value is an integer from 1 to {TaskPage.MaxLimit}", "value_error.number");

        if (after is not null)
        {
            var cursor = Guid.TryParse(after, out var afterId)
                ? await db.UntrackedTasks.VisibleTo(caller)
                    .Where(t => t.CorrelationId == afterId).Select(t => (DateTime?)t.CreatedAt).FirstOrDefaultAsync(cancellationToken)
                : null;
            if (cursor is null)
                return Invalid(["query", "after"], "not a task of yours", "value_error");
            tasks = tasks.Where(t => t.CreatedAt < cursor);
        }

        var page = await tasks.OrderByDescending(t => t.CreatedAt).Take(size + 1).Select(TaskSummary.Projection).ToListAsync(cancellationToken);
        return TypedResults.Ok(new TaskPage([.. page.Take(size)], page.Count > size ? page[size - 1].TaskId : null));
    }

    static async Task<Results<Ok<TaskView>, NotFound<DetailResponse>>> Get(
        string taskId, Caller caller, OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var task = Guid.TryParse(taskId, out var id) ? await TaskViewProjection.FindAsync(db, id, caller, cancellationToken) : null;
        return task is null ? TaskNotFound() : TypedResults.Ok(TaskView.From(task));
    }

    static Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> GetReport(
        string taskId, Caller caller, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        ReportAsync(db, taskId, caller, task => TypedResults.Text(task.ReportMarkdown, "text/markdown; charset=utf-8"), cancellationToken);

    static Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> GetReportHtml(
        string taskId, Caller caller, OrchestratorDbContext db, CancellationToken cancellationToken) =>
        ReportAsync(db, taskId, caller, task => TypedResults.Text(ReportPage.Render(task.Theme, task.ReportMarkdown!), "text/html; charset=utf-8"), cancellationToken);

    static async Task<Results<ContentHttpResult, NotFound<DetailResponse>, Conflict<DetailResponse>>> ReportAsync(
        OrchestratorDbContext db, string taskId, Caller caller, Func<ResearchTaskState, ContentHttpResult> render, CancellationToken cancellationToken)
    {
        var task = await FindAsync(db, taskId, caller, cancellationToken);
        if (task is null)
            return TaskNotFound();
        if (task.ReportMarkdown is null)
            return TypedResults.Conflict(new DetailResponse($"The report is not ready: the task is {task.CurrentState}"));

        return render(task);
    }

    static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, NotFound<DetailResponse>, JsonHttpResult<ValidationErrorResponse>>> GetAudit(
        string taskId, Caller caller, OrchestratorDbContext db, HttpResponse response, string? limit, string? after, CancellationToken cancellationToken)
    {
        var size = AuditPage.DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > AuditPage.MaxLimit))
            return Invalid(["query", "limit"], $"ensure this value is an integer from 1 to {AuditPage.MaxLimit}", "value_error.number");
        var skip = 0;
        if (after is not null && (!int.TryParse(after, out skip) || skip < 0))
            return Invalid(["query", "after"], "ensure this value is an integer of at least 0", "value_error.number");

        var found = Guid.TryParse(taskId, out var id)
            && await db.UntrackedTasks.VisibleTo(caller).AnyAsync(t => t.CorrelationId == id, cancellationToken);
        if (!found)
            return TaskNotFound();

        // The trail is append-only and read in the order it was written: a position in it stays the same entry.
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.TaskId == id)
            .OrderBy(e => e.Id)
            .Skip(skip)
            .Take(size + 1)
            .Select(AuditEntry.Projection)
            .ToListAsync(cancellationToken);
        if (events.Count > size)
            response.Headers.Link = $"</tasks/{id}/audit?limit={size}&after={skip + size}>; rel=\"next\"";
        return TypedResults.Ok<IReadOnlyList<AuditEntry>>([.. events.Take(size)]);
    }

    static async Task<Results<Accepted<TaskView>, NotFound<DetailResponse>, Conflict<DetailResponse>, JsonHttpResult<DetailResponse>>> Cancel(
        string taskId, Caller caller, OrchestratorDbContext db, TaskIntake intake, CancellationToken cancellationToken)
    {
        var task = await FindAsync(db, taskId, caller, cancellationToken);
        if (task is null)
            return TaskNotFound();
        if (ResearchTaskState.IsFinal(task.CurrentState))
            return TypedResults.Conflict(new DetailResponse($"The task is already {task.CurrentState}"));

        return await intake.CancelAsync(task.CorrelationId, caller, cancellationToken)
            ? TypedResults.Accepted($"/tasks/{task.CorrelationId}", TaskView.From(task))
            : TypedResults.Json(new DetailResponse("The cancellation could not be accepted now; try again later"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    static Task<ResearchTaskState?> FindAsync(OrchestratorDbContext db, string taskId, Caller caller, CancellationToken cancellationToken) =>
        Guid.TryParse(taskId, out var id)
            ? db.UntrackedTasks.VisibleTo(caller).FirstOrDefaultAsync(t => t.CorrelationId == id, cancellationToken)
            : Task.FromResult<ResearchTaskState?>(null);

    static JsonHttpResult<ValidationErrorResponse> Invalid(string[] loc, string message, string type) =>
        TypedResults.Json(new ValidationErrorResponse([new ValidationError(loc, message, type)]), statusCode: StatusCodes.Status422UnprocessableEntity);

    static NotFound<DetailResponse> TaskNotFound() => TypedResults.NotFound(new DetailResponse("Task not found"));
}
