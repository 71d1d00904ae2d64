using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Tests.Api.Tasks;

/// <summary>A client's retry with an <c>Idempotency-Key</c>, and the list of the caller's tasks.</summary>
public sealed class SubmissionAndListingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task The_same_key_and_body_give_the_same_task_and_another_body_is_refused()
    {
        var key = $"retry-{Guid.NewGuid():N}";
        var body = new { theme = "Renewable energy investment", budget = 30, voice_id = "v" };

        using var first = await PostAsync(body, key);
        using var retry = await PostAsync(body, key);
        using var other = await PostAsync(body with { budget = 31 }, key);
        using var noKey = await PostAsync(body, key: null);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        var taskId = await TaskIdAsync(first);
        Assert.Equal(taskId, await TaskIdAsync(retry));
        Assert.NotEqual(taskId, await TaskIdAsync(noKey));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = JsonNode.Parse(await other.Content.ReadAsStringAsync())!["detail"]![0]!;
        Assert.Equal("""["header","Idempotency-Key"]""", problem["loc"]!.ToJsonString());
    }

    [Fact]
    public async Task The_stored_hash_of_a_body_cannot_be_recomputed_from_the_body_alone()
    {
        var key = $"hash-{Guid.NewGuid():N}";
        var body = new { theme = "Quantum computing startups", budget = 25, voice_id = "voice-guessable-42" };

        using var first = await PostAsync(body, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var stored = await StoredHashAsync(key);
        Assert.NotNull(stored);
        Assert.NotEqual(UnsaltedHash(body.theme, body.budget, body.voice_id), stored);
        Assert.NotEqual(UnsaltedHash(body.theme, body.budget, ""), stored);
    }

    [Fact]
    public async Task A_retry_of_a_task_stored_with_the_former_unsalted_hash_finds_that_task()
    {
        var key = $"legacy-{Guid.NewGuid():N}";
        var body = new { theme = "Electric vehicle batteries", budget = 40, voice_id = "v" };
        using var first = await PostAsync(body, key);
        var taskId = await TaskIdAsync(first);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await db.ResearchTasks.Where(t => t.SubmissionKey == key)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.SubmissionHash, UnsaltedHash(body.theme, body.budget, body.voice_id)));
        }

        using var retry = await PostAsync(body, key);
        using var other = await PostAsync(body with { voice_id = "w" }, key);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(taskId, await TaskIdAsync(retry));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
    }

    [Fact]
    public void An_Api_that_is_not_embedded_does_not_start_without_the_submission_key()
    {
        // The task API's own registration, and the check a host makes before it starts (ValidateOnStart):
        // WebApplicationFactory reports a host that failed to start as a disposed service provider now and then.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration["Bus:Transport"] = "RabbitMq";
        builder.AddTaskApi();
        using var distributed = builder.Build();

        var refusal = Assert.ThrowsAny<Exception>(() => distributed.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());

        Assert.True(refusal.ToString().Contains(IntakeOptions.SubmissionKeyName, StringComparison.Ordinal), refusal.ToString());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_create_one_task()
    {
        var key = $"race-{Guid.NewGuid():N}";
        var body = new { theme = "Blockchain adoption in finance", budget = 20, voice_id = "v" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(body, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single((await Task.WhenAll(responses.Select(TaskIdAsync))).Distinct());
    }

    [Fact]
    public async Task The_list_pages_newest_first_and_filters_by_status()
    {
        var submitted = new List<string>();
        for (var i = 0; i < 5; i++)
            submitted.Add(await TaskIdAsync(await PostAsync(new { theme = $"Semiconductors {i}", budget = 5, voice_id = "v" }, key: null)));

        var pages = new List<string>();
        string? after = null;
        do
        {
            var page = JsonNode.Parse(await _client.GetStringAsync($"/tasks?limit=2{(after is null ? "" : $"&after={after}")}"))!;
            var ids = page["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>()).ToList();
            Assert.InRange(ids.Count, 1, 2);
            pages.AddRange(ids);
            after = page["next"]?.GetValue<string>();
        }
        while (after is not null);

        var mine = pages.Where(submitted.Contains).ToList();
        Assert.Equal(Enumerable.Reverse(submitted), mine);
        Assert.Equal(pages.Count, pages.Distinct().Count());

        var failed = JsonNode.Parse(await _client.GetStringAsync("/tasks?status=Failed&limit=100"))!["tasks"]!.AsArray();
        Assert.All(failed, t => Assert.Equal("Failed", t!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task New_task_ids_grow_with_time_so_that_the_database_appends_each_to_its_index()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await TaskIdAsync(await PostAsync(new { theme = $"Batteries {i}", budget = 5, voice_id = "v" }, key: null)));
            await Task.Delay(2); // ids of one millisecond are random among themselves
        }

        Assert.All(ids, id => Assert.Equal(7, Guid.Parse(id).Version));
        Assert.Equal(ids.Order(StringComparer.OrdinalIgnoreCase), ids);
    }

    [Theory]
    [InlineData("/tasks?limit=0", "limit")]
    [InlineData("/tasks?limit=abc", "limit")]
    [InlineData("/tasks?status=Lost", "status")]
    [InlineData("/tasks?after=not-a-task", "after")]
    public async Task A_bad_query_is_a_422_in_the_contracts_shape(string path, string parameter)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal($"""["query","{parameter}"]""", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]![0]!["loc"]!.ToJsonString());
    }

    async Task<HttpResponseMessage> PostAsync(object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tasks") { Content = JsonContent.Create(body) };
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return await _client.SendAsync(request);
    }

    async Task<string?> StoredHashAsync(string key)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        return await db.ResearchTasks.AsNoTracking().Where(t => t.SubmissionKey == key).Select(t => t.SubmissionHash).SingleAsync();
    }

    /// <summary>What the service stored before it had a key: anyone holding a guess could compute it.</summary>
    static string UnsaltedHash(string theme, long budget, string voiceId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{theme}\0{budget}\0{voiceId}")));

    static async Task<string> TaskIdAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
}
