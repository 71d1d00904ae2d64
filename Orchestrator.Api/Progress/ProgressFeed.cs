using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Orchestrator.Api.Progress;

/// <summary>
/// A task's progress as Server-Sent Events: what happened so far (after <c>Last-Event-ID</c>), then each change as
/// it is committed, until <c>final</c>. Between changes a heartbeat comment keeps proxies from closing it.
/// </summary>
public sealed class ProgressFeed(Guid taskId, long lastEventId) : IResult
{
    public const string ContentType = "text/event-stream";

    /// <summary>The stream's events as the OpenAPI document describes them.</summary>
    public const string Description =
        "Each event has an `id` (its sequence in the task, from 1: send the last one back as `Last-Event-ID` to resume), " +
        "an `event` name and one line of JSON `data`; a `: heartbeat` comment comes between changes.\n\n" +
        "| event | data |\n|---|---|\n" +
        "| `state` | `{\"from\", \"to\", \"at\"}`: the task changed state |\n" +
        "| `quote` | `{\"item\", \"title\", \"price\"}`: a source and its price, found while discovering |\n" +
        "| `plan` | `{\"items\": [{\"item\", \"title\", \"price\", \"score\", \"reused_from\"}], \"total\"}`: what will be bought; an item with a `reused_from` task is read from that earlier purchase and not paid for (`total` leaves it out) |\n" +
        "| `approval` | `{\"total\", \"threshold\", \"expires_at\"}`: the plan costs more than `Approval:Threshold` and waits for `POST /tasks/{id}/approve` or `/reject` until `expires_at` |\n" +
        "| `payment` | `{\"item\", \"amount\", \"outcome\", \"spent\", \"remaining\"}`: `outcome` is `paid`, `unconfirmed` or `unpaid` |\n" +
        "| `source` | `{\"item\", \"title\"}`: a bought item's data was read |\n" +
        "| `final` | `{\"status\", \"spent\", \"error\": null or {\"error\", \"message\"}}`: the last event |";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var db = services.GetRequiredService<OrchestratorDbContext>();
        var hub = services.GetRequiredService<TaskProgressHub>();
        var heartbeat = services.GetRequiredService<IOptions<ProgressOptions>>().Value.Heartbeat;
        var cancellationToken = httpContext.RequestAborted;
        var response = httpContext.Response;

        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // Subscribed and announced before the first read: a change committed in between still wakes the loop (or, if
        // the hosts heard of the watcher too late to tell it, the next heartbeat's read finds it).
        using var subscription = hub.Subscribe(taskId);
        await services.GetRequiredService<WatchAnnouncer>().AnnounceAsync(taskId, cancellationToken);
        await response.WriteAsync("retry: 2000\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        var reader = new TaskProgressReader(taskId);
        var last = lastEventId;
        try
        {
            while (true)
            {
                var events = await reader.ReadAsync(db, cancellationToken);
                foreach (var progress in events.Where(e => e.Id > last))
                {
                    await response.Body.WriteAsync(Format(progress), cancellationToken);
                    last = progress.Id;
                }

                await response.Body.FlushAsync(cancellationToken);
                if (events.Count > 0 && events[^1].IsFinal)
                    return;

                if (!await subscription.WaitAsync(heartbeat, cancellationToken))
                    await response.Body.WriteAsync(Heartbeat, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    public static byte[] Format(ProgressEvent progress) =>
        Encoding.UTF8.GetBytes($"id: {progress.Id}\nevent: {progress.Type}\ndata: {JsonSerializer.Serialize(progress.Data, progress.Data.GetType(), Json)}\n\n");
}
