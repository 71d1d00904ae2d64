using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Tests.Api.Tasks;

/// <summary>Beyond <c>Workflow:MaxQueuedTasks</c> waiting tasks, <c>POST /tasks</c> answers 503 with <c>Retry-After</c>.</summary>
public sealed class OverloadTests(OverloadTests.Factory api) : IClassFixture<OverloadTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Workflow:MaxConcurrentTasks", "1");
            builder.UseSetting("Workflow:MaxQueuedTasks", "2");
        }
    }

    static readonly object Body = new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "v" };

    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Too_many_waiting_tasks_make_a_new_one_503_with_retry_after_unrecorded_while_a_replay_still_answers()
    {
        using var keyed = Post("replayed-key");
        using var first = await _client.SendAsync(keyed);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var replayedId = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
        await OccupyTheOnlySlotAndQueueAsync(3);
        var recorded = await CountTasksAsync();

        using var refused = await _client.PostAsJsonAsync("/tasks", Body);
        using var replay = await _client.SendAsync(Post("replayed-key"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        var detail = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("Too many tasks are waiting to start; try again later", detail["detail"]!.GetValue<string>());
        Assert.Equal(recorded, await CountTasksAsync());
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(replayedId, JsonNode.Parse(await replay.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>());
    }

    static HttpRequestMessage Post(string idempotencyKey) =>
        new(HttpMethod.Post, "/tasks") { Content = JsonContent.Create(Body), Headers = { { "Idempotency-Key", idempotencyKey } } };

    /// <summary>
    /// A task that holds the only slot without moving (no message drives it), and <paramref name="waiting"/> more
    /// recorded behind it; returns once the Api has counted them.
    /// </summary>
    async Task OccupyTheOnlySlotAndQueueAsync(int waiting)
    {
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var stuck = ResearchTaskState.Accept(Guid.NewGuid(), "Stuck", 10, "v", "anonymous", DateTime.UtcNow);
            stuck.CurrentState = TaskStates.Discovering;
            db.ResearchTasks.Add(stuck);
            for (var i = 0; i < waiting; i++)
                db.ResearchTasks.Add(ResearchTaskState.Accept(Guid.NewGuid(), $"Waiting {i}", 10, "v", "anonymous", DateTime.UtcNow));
            await db.SaveChangesAsync();
        }

        var backlog = api.Services.GetRequiredService<TaskBacklog>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!backlog.IsOverloaded && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(backlog.IsOverloaded, $"the Api counted {backlog.Waiting} waiting tasks");
    }

    async Task<int> CountTasksAsync()
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().ResearchTasks.CountAsync();
    }
}
