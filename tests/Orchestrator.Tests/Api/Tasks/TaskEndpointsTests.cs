using MassTransit;
using Microsoft.AspNetCore.TestHost;

namespace Orchestrator.Tests.Api.Tasks;

public sealed class TaskEndpointsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task A_submitted_task_is_readable_at_once_and_completes_with_a_markdown_report()
    {
        var taskId = await SubmitAsync(new { theme = "  Tesla Inc financial performance 2023 ", budget = 50, voice_id = "user_voice_123" });

        using var first = await _client.GetAsync($"/tasks/{taskId}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var task = await WaitUntilFinalAsync(taskId);
        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Equal("Tesla Inc financial performance 2023", task["theme"]!.GetValue<string>());
        Assert.InRange(task["spent"]!.GetValue<int>(), 1, 50);
        Assert.Null(task["error"]);
        Assert.Equal(taskId, task["task_id"]!.GetValue<string>());
        Assert.NotNull(task["created_at"]);
        Assert.NotNull(task["updated_at"]);

        using var report = await _client.GetAsync($"/tasks/{taskId}/report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("text/markdown", report.Content.Headers.ContentType?.MediaType);
        Assert.Equal(task["report"]!.GetValue<string>(), await report.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failed_task_shows_the_seeds_error_format_and_has_no_report()
    {
        var taskId = await SubmitAsync(new { theme = "AI market trends in healthcare", budget = 75, voice_id = "refused_voice" });

        var task = await WaitUntilFinalAsync(taskId);

        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        var error = task["error"]!;
        Assert.Equal("AuthenticationError", error["error"]!.GetValue<string>());
        Assert.Equal(taskId, error["task_id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.TryParse(error["timestamp"]!.GetValue<string>(), out _));
        Assert.DoesNotContain("refused_voice", task.ToJsonString(), StringComparison.Ordinal);

        using var report = await _client.GetAsync($"/tasks/{taskId}/report");
        Assert.Equal(HttpStatusCode.Conflict, report.StatusCode);
        Assert.NotNull(JsonNode.Parse(await report.Content.ReadAsStringAsync())!["detail"]);
    }

    [Theory]
    [InlineData("/tasks/00000000-0000-0000-0000-000000000001")]
    [InlineData("/tasks/not-a-uuid")]
    [InlineData("/tasks/00000000-0000-0000-0000-000000000001/report")]
    [InlineData("/tasks/%20/report")]
    [InlineData("/tasks/00000000-0000-0000-0000-000000000001/report.html")]
    public async Task Unknown_or_malformed_ids_are_404(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"detail":"Task not found"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_submission_only_records_the_task_and_admission_starts_it()
    {
        using var refusing = api.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddScoped<IPublishEndpoint, RefusingPublishEndpoint>()));
        using var client = refusing.CreateClient();

        using var response = await client.PostAsJsonAsync("/tasks", new { theme = "Tesla Inc", budget = 5, voice_id = "v" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var taskId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
        Assert.Equal("Completed", (await WaitUntilFinalAsync(taskId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_task_shows_its_purchase_plan_and_its_report_renders_as_a_safe_html_page()
    {
        var taskId = await SubmitAsync(new { theme = "Tesla Inc financial performance 2023 <script>alert(1)</script>", budget = 20, voice_id = "v" });

        var task = await WaitUntilFinalAsync(taskId);
        using var html = await _client.GetAsync($"/tasks/{taskId}/report.html");

        var plan = task["plan"]!.AsArray().Select(item => item!).ToList();
        Assert.Contains(plan, item => item["status"]!.GetValue<string>() == "Fetched");
        Assert.All(plan, item =>
        {
            Assert.True(item["item"]!.GetValue<int>() > 0);
            Assert.False(string.IsNullOrEmpty(item["title"]!.GetValue<string>()));
            Assert.True(item["price"]!.GetValue<int>() > 0);
            Assert.True(item["score"]!.GetValue<double>() >= 0);
        });
        Assert.Equal(task["spent"]!.GetValue<int>(), plan.Where(i => i["status"]!.GetValue<string>() == "Fetched").Sum(i => i["price"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("<h1>", page, StringComparison.Ordinal);
        Assert.Contains("<table>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_an_unfinished_task_is_accepted_and_the_task_ends_Cancelled()
    {
        // At work, so that it cannot have ended before the cancel (a waiting one may be started and end at once).
        var taskId = await RecordSubmittedTaskAsync(TaskStates.Discovering);

        using var response = await _client.PostAsync($"/tasks/{taskId}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/tasks/{taskId}", response.Headers.Location?.OriginalString);
        Assert.Equal(taskId.ToString(), JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>());
        var task = await WaitUntilFinalAsync(taskId.ToString());
        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Null(task["error"]);
        Assert.Equal(0, task["spent"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cancelling_a_finished_task_is_409_and_an_unknown_one_404()
    {
        var taskId = await SubmitAsync(new { theme = "Blockchain adoption in finance", budget = 30, voice_id = "v" });
        await WaitUntilFinalAsync(taskId);

        using var finished = await _client.PostAsync($"/tasks/{taskId}/cancel", null);
        using var unknown = await _client.PostAsync($"/tasks/{Guid.NewGuid()}/cancel", null);
        using var malformed = await _client.PostAsync("/tasks/not-a-uuid/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, finished.StatusCode);
        Assert.Equal("The task is already Completed", JsonNode.Parse(await finished.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
    }

    [Fact]
    public async Task When_the_bus_refuses_a_cancellation_the_answer_is_503_and_the_task_runs_on()
    {
        using var refusing = api.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddScoped<IPublishEndpoint, RefusingPublishEndpoint>()));
        using var client = refusing.CreateClient();
        // That host's bus is started before the test ends: MassTransit stopping endpoints still starting throws.
        await WaitUntilReadyAsync(client);
        // A task at work (as if its discovery were running): admission leaves it alone, so it cannot end before the cancel.
        var taskId = await RecordSubmittedTaskAsync(TaskStates.Discovering);

        using var response = await client.PostAsync($"/tasks/{taskId}/cancel", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
        await Task.Delay(300);
        var task = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!;
        Assert.Equal("Discovering", task["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_answers_in_the_seeds_shape_and_ready_checks_the_database_and_bus()
    {
        var health = JsonNode.Parse(await _client.GetStringAsync("/health"))!;
        Assert.Equal("healthy", health["status"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+", health["version"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(health["timestamp"]!.GetValue<string>(), out _));

        using var ready = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/tasks", paths);
        Assert.Contains("/tasks/{taskId}", paths);
        Assert.Contains("/tasks/{taskId}/report", paths);
        Assert.Contains("/tasks/{taskId}/cancel", paths);
        Assert.Contains("/tasks/{taskId}/report.html", paths);
        Assert.Contains("/health", paths);
    }

    async Task<string> SubmitAsync(object body)
    {
        using var response = await _client.PostAsJsonAsync("/tasks", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var taskId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(taskId, out _));
        return taskId;
    }

    /// <summary>A task recorded as the Api records it, whose <c>TaskSubmitted</c> was never published: it waits.</summary>
    async Task<Guid> RecordSubmittedTaskAsync(string? state = null)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "Renewable energy investment", 40, "v", "anonymous", DateTime.UtcNow);
        task.CurrentState = state ?? task.CurrentState;
        db.ResearchTasks.Add(task);
        await db.SaveChangesAsync();
        return task.CorrelationId;
    }

    static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var ready = await client.GetAsync("/health/ready");
            if (ready.IsSuccessStatusCode)
                return;
            Assert.True(DateTime.UtcNow < deadline, "the host did not become ready");
            await Task.Delay(50);
        }
    }

    async Task<JsonNode> WaitUntilFinalAsync(string taskId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var task = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!;
            if (task["status"]!.GetValue<string>() is "Completed" or "Failed" or "Cancelled" || DateTime.UtcNow > deadline)
                return task;
            await Task.Delay(50);
        }
    }

    sealed class RefusingPublishEndpoint : IPublishEndpoint
    {
        public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => throw new NotSupportedException();

        public Task Publish<T>(T message, CancellationToken cancellationToken = default) where T : class => Refuse();
        public Task Publish<T>(T message, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default) where T : class => Refuse();
        public Task Publish<T>(T message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) where T : class => Refuse();
        public Task Publish(object message, CancellationToken cancellationToken = default) => Refuse();
        public Task Publish(object message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) => Refuse();
        public Task Publish(object message, Type messageType, CancellationToken cancellationToken = default) => Refuse();
        public Task Publish(object message, Type messageType, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) => Refuse();
        public Task Publish<T>(object values, CancellationToken cancellationToken = default) where T : class => Refuse();
        public Task Publish<T>(object values, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default) where T : class => Refuse();
        public Task Publish<T>(object values, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) where T : class => Refuse();

        static Task Refuse() => Task.FromException(new InvalidOperationException("The broker is unreachable"));
    }
}
