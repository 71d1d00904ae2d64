using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Workflow;

/// <summary>
/// What a publisher on the bus may do, on real RabbitMQ and PostgreSQL with the Api under <c>Auth:Mode=Jwt</c>: a raw
/// <c>TaskSubmitted</c> published from Python names an owner, which is recorded in the bus's own namespace (unless
/// <c>Bus:TrustOwnerId</c>), and the Api's per-owner limits apply to it.
/// </summary>
public sealed class BusPublisherIdentityTests(BusPublisherIdentityTests.Untrusted service) : IClassFixture<BusPublisherIdentityTests.Untrusted>
{
    internal const int TasksPerMinute = 3;
    internal const int AuthFailuresPerHour = 2;
    internal static readonly AuthOptions Auth = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };

    [Fact]
    public async Task A_task_published_with_a_users_sub_as_owner_is_not_that_users_task()
    {
        var taskId = Guid.NewGuid();

        await service.Distributed.PublishWithPikaAsync([Body(taskId, "alice", "voice_1")]);

        Assert.Equal("Completed", (await service.Distributed.Api.WaitUntilFinishedAsync(taskId.ToString(), TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());
        Assert.DoesNotContain(taskId.ToString(), await ListAsync(service.Distributed.Api, "alice"));
        using var read = await SendAsync(service.Distributed.Api, "alice", $"/tasks/{taskId}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("bus:alice", await OwnerAsync(service.Distributed, taskId));
    }

    [Fact]
    public async Task A_publisher_over_the_task_rate_gets_its_extra_tasks_recorded_failed_with_the_reason()
    {
        var taskIds = Enumerable.Range(0, TasksPerMinute + 3).Select(_ => Guid.NewGuid()).ToList();

        await service.Distributed.PublishWithPikaAsync(taskIds.Select(id => Body(id, "flooder", "voice_1")));

        var ends = new List<JsonNode>();
        foreach (var id in taskIds)
            ends.Add(await service.Distributed.Api.WaitUntilFinishedAsync(id.ToString(), TimeSpan.FromSeconds(60)));
        Assert.Equal(TasksPerMinute, ends.Count(t => t["status"]!.GetValue<string>() == "Completed"));
        var refused = ends.Where(t => t["status"]!.GetValue<string>() == "Failed").ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, t =>
        {
            Assert.Equal("WorkflowError", t["error"]!["error"]!.GetValue<string>());
            Assert.Contains("Too many new tasks from this owner", t["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        Assert.Equal(TasksPerMinute, service.Distributed.Simulators.Ledger.Charges
            .Where(c => taskIds.Any(id => c.IdempotencyKey?.StartsWith(id.ToString("N"), StringComparison.Ordinal) == true))
            .Select(c => c.IdempotencyKey![..32]).Distinct().Count());
    }

    [Fact]
    public async Task A_publisher_whose_tasks_failed_voice_authentication_too_often_gets_its_next_task_refused()
    {
        for (var i = 0; i < AuthFailuresPerHour; i++)
        {
            var guess = Guid.NewGuid();
            await service.Distributed.PublishWithPikaAsync([Body(guess, "guesser", $"refused_guess_{i}")]);
            var failed = await service.Distributed.Api.WaitUntilFinishedAsync(guess.ToString(), TimeSpan.FromSeconds(60));
            Assert.Equal("AuthenticationError", failed["error"]!["error"]!.GetValue<string>());
        }

        var next = Guid.NewGuid();
        await service.Distributed.PublishWithPikaAsync([Body(next, "guesser", "voice_1")]);

        var task = await service.Distributed.Api.WaitUntilFinishedAsync(next.ToString(), TimeSpan.FromSeconds(60));
        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Contains("failed voice authentication", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    internal static string Body(Guid taskId, string ownerId, string voiceId) =>
        JsonSerializer.Serialize(new { taskId, theme = "Tesla Inc financial performance 2023", budget = 30, voiceId, ownerId });

    internal static async Task<HttpResponseMessage> SendAsync(HostProcess api, string subject, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(Auth, subject));
        return await api.Client.SendAsync(request);
    }

    internal static async Task<List<string>> ListAsync(HostProcess api, string subject)
    {
        using var response = await SendAsync(api, subject, "/tasks?limit=100");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>())];
    }

    internal static async Task<string> OwnerAsync(DistributedService service, Guid taskId) =>
        (string)(await service.QueryAsync("SELECT owner_id FROM research_tasks WHERE task_id = @id", ("id", taskId))).Single()[0]!;

    /// <summary>The Api under Jwt and one Worker on RabbitMQ; the test client reads as an admin unless a test says who.</summary>
    public abstract class Service(bool trustOwnerId) : IAsyncLifetime
    {
        public DistributedService Distributed { get; } = new(new DistributedLayout
        {
            Workers = 1,
            Settings = new Dictionary<string, string>
            {
                ["Auth__Mode"] = "Jwt",
                ["Auth__SigningKey"] = Auth.SigningKey!,
                ["RateLimit__TasksPerMinute"] = TasksPerMinute.ToString(CultureInfo.InvariantCulture),
                ["RateLimit__AuthFailuresPerHour"] = AuthFailuresPerHour.ToString(CultureInfo.InvariantCulture),
                ["Bus__TrustOwnerId"] = trustOwnerId ? "true" : "false",
            },
        });

        public async Task InitializeAsync()
        {
            await Distributed.InitializeAsync();
            Distributed.Api.Client.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(Auth, "root", Caller.AdminRole));
        }

        public Task DisposeAsync() => Distributed.DisposeAsync();
    }

    public sealed class Untrusted() : Service(trustOwnerId: false);

    public sealed class Trusted() : Service(trustOwnerId: true);
}

/// <summary>With <c>Bus:TrustOwnerId=true</c> the publisher names any owner, as before namespaces.</summary>
public sealed class TrustedBusPublisherTests(BusPublisherIdentityTests.Trusted service) : IClassFixture<BusPublisherIdentityTests.Trusted>
{
    [Fact]
    public async Task A_task_published_with_a_users_sub_as_owner_is_that_users_task()
    {
        var taskId = Guid.NewGuid();

        await service.Distributed.PublishWithPikaAsync([BusPublisherIdentityTests.Body(taskId, "alice", "voice_1")]);

        Assert.Equal("Completed", (await service.Distributed.Api.WaitUntilFinishedAsync(taskId.ToString(), TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());
        Assert.Contains(taskId.ToString(), await BusPublisherIdentityTests.ListAsync(service.Distributed.Api, "alice"));
        Assert.Equal("alice", await BusPublisherIdentityTests.OwnerAsync(service.Distributed, taskId));
    }
}
