using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.ApiDescription;
using Orchestrator.Api.Security;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Api.Progress;

public static class ProgressEndpoints
{
    public static IHostApplicationBuilder AddTaskProgress(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProgressOptions>().BindConfiguration(ProgressOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TaskProgressHub>();
        builder.Services.AddHostedService<TaskProgressListener>();
        builder.Services.AddSingleton<WatchAnnouncer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WatchAnnouncer>());
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy<string, OpenStreamsPolicy>(OpenStreamsPolicy.Name));
        return builder;
    }

    public static IEndpointRouteBuilder MapTaskProgress(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/tasks").WithTags(ServiceDescription.TasksTag)
            .MapGet("/{taskId}/events", Events)
            .WithName("followTaskEvents")
            .RequireRateLimiting(OpenStreamsPolicy.Name)
            .Produces<Stream>(StatusCodes.Status200OK, ProgressFeed.ContentType)
            .WithSummary("The task's progress as Server-Sent Events: replayed, then live, until `final`")
            .WithDescription(ProgressFeed.Description)
            .WithParameter("Last-Event-ID", "The `id` of the last event received: the stream resumes after it (browsers send it when they reconnect)")
            .Answers<DetailResponse>(StatusCodes.Status429TooManyRequests, "The caller has as many event streams open as they may (`Progress:MaxStreamsPerOwner`)")
            .WithRetryAfter(StatusCodes.Status429TooManyRequests)
            .Describes(
                (StatusCodes.Status200OK, "A `text/event-stream` that ends after the `final` event"),
                (StatusCodes.Status404NotFound, TaskEndpoints.NotFoundMeaning));
        return app;
    }

    /// <summary>Under the same rules as <c>GET /tasks/{id}</c>: a task the caller may not see is not found.</summary>
    static async Task<Results<ProgressFeed, NotFound<DetailResponse>>> Events(
        string taskId,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        Caller caller,
        OrchestratorDbContext db,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(taskId, out var id) ||
            !await db.ResearchTasks.VisibleTo(caller).AnyAsync(t => t.CorrelationId == id, cancellationToken))
            return TypedResults.NotFound(new DetailResponse("Task not found"));

        return new ProgressFeed(id, long.TryParse(lastEventId, out var last) && last > 0 ? last : 0);
    }
}
