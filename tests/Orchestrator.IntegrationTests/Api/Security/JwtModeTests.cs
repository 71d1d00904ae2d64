using System.Net.Http.Headers;
using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>The Api as a process with <c>Auth:Mode=Jwt</c>, called over HTTP with real signed tokens.</summary>
public sealed class JwtModeTests(JwtModeTests.Service service) : IClassFixture<JwtModeTests.Service>
{
    [Theory]
    [InlineData("GET", "/tasks")]
    [InlineData("POST", "/tasks")]
    [InlineData("GET", "/tasks/3f2c0000-0000-0000-0000-000000000000")]
    [InlineData("GET", "/tasks/3f2c0000-0000-0000-0000-000000000000/report")]
    [InlineData("GET", "/tasks/3f2c0000-0000-0000-0000-000000000000/audit")]
    [InlineData("POST", "/tasks/3f2c0000-0000-0000-0000-000000000000/cancel")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task No_route_but_health_answers_without_a_valid_token(string method, string path)
    {
        var tokens = new (string Name, string? Token)[]
        {
            ("none", null),
            ("garbage", "not-a-token"),
            ("wrong key", DevelopmentTokens.Create(new AuthOptions { SigningKey = new string('x', 40) }, "alice")),
            ("expired", DevelopmentTokens.Create(service.Auth, "alice", lifetime: TimeSpan.FromMinutes(1), now: DateTime.UtcNow.AddHours(-2))),
            ("other audience", DevelopmentTokens.Create(new AuthOptions { SigningKey = service.Auth.SigningKey, Audience = "someone-else" }, "alice")),
        };
        foreach (var (name, token) in tokens)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(Seed) : null };
            if (token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await service.Api.Client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {name} token: {(int)response.StatusCode}");
            Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
        }

        using var health = await service.Api.Client.GetAsync("/health");
        using var ready = await service.Api.Client.GetAsync("/health/ready");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, ready.StatusCode));
    }

    [Fact]
    public async Task Metrics_need_a_token_with_role_admin_or_metrics()
    {
        var tokens = new (string Name, string? Token, HttpStatusCode Expected)[]
        {
            ("no token", null, HttpStatusCode.Unauthorized),
            ("an owner's token", DevelopmentTokens.Create(service.Auth, "alice"), HttpStatusCode.Forbidden),
            ("a scraper's token", DevelopmentTokens.Create(service.Auth, "prometheus", ApiSecurityRegistration.MetricsRole), HttpStatusCode.OK),
            ("an admin's token", DevelopmentTokens.Create(service.Auth, "root", Caller.AdminRole), HttpStatusCode.OK),
        };
        foreach (var (name, token, expected) in tokens)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await service.Api.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == expected, $"/metrics with {name}: {(int)response.StatusCode}");
            Assert.Equal(expected == HttpStatusCode.OK, body.Contains("# TYPE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_validly_signed_token_without_a_subject_is_refused_with_401_and_records_nothing()
    {
        var before = await NewestTaskIdsAsync();
        var subjects = new (string Name, string? Subject)[] { ("no sub", null), ("empty sub", ""), ("blank sub", "  ") };
        foreach (var (name, subject) in subjects)
        {
            var token = TokenWithSubject(subject);
            foreach (var (method, path) in new[] { ("POST", "/tasks"), ("GET", "/tasks") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(Seed) : null };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await service.Api.Client.SendAsync(request);

                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {name}: {(int)response.StatusCode}");
                Assert.Contains("sub", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }

        // Nothing was recorded: an admin, who sees every task newest first, sees the same ones as before.
        Assert.Equal(before, await NewestTaskIdsAsync());
    }

    async Task<List<string>> NewestTaskIdsAsync()
    {
        using var response = await SendAsync("root", HttpMethod.Get, "/tasks?limit=100", role: Caller.AdminRole);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray().Select(t => t!["task_id"]!.GetValue<string>())];
    }

    /// <summary>A token signed with the service's key, as a careless issuer might make it: its <c>sub</c> missing or empty.</summary>
    string TokenWithSubject(string? subject)
    {
        var claims = new Dictionary<string, object>();
        if (subject is not null)
            claims[AuthOptions.SubjectClaim] = subject;
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = service.Auth.EffectiveIssuer,
            Audience = service.Auth.Audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(DevelopmentTokens.SigningKey(service.Auth), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
    }

    [Fact]
    public async Task Another_owners_task_is_not_found_on_every_route_and_not_listed()
    {
        var taskId = await SubmitAsync("alice", Seed);
        await WaitUntilFinishedAsync("alice", taskId);

        foreach (var path in new[] { $"/tasks/{taskId}", $"/tasks/{taskId}/report", $"/tasks/{taskId}/report.html", $"/tasks/{taskId}/audit" })
        {
            using var response = await SendAsync("bob", HttpMethod.Get, path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"bob GET {path}: {(int)response.StatusCode}");
            Assert.Equal("""{"detail":"Task not found"}""", await response.Content.ReadAsStringAsync());
        }

        using var cancel = await SendAsync("bob", HttpMethod.Post, $"/tasks/{taskId}/cancel");
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        var bobs = JsonNode.Parse(await (await SendAsync("bob", HttpMethod.Get, "/tasks")).Content.ReadAsStringAsync())!;
        Assert.DoesNotContain(bobs["tasks"]!.AsArray(), t => t!["task_id"]!.GetValue<string>() == taskId);
        var alices = JsonNode.Parse(await (await SendAsync("alice", HttpMethod.Get, "/tasks")).Content.ReadAsStringAsync())!;
        Assert.Contains(alices["tasks"]!.AsArray(), t => t!["task_id"]!.GetValue<string>() == taskId);
    }

    [Fact]
    public async Task An_admin_reads_and_cancels_every_owners_task()
    {
        var taskId = await SubmitAsync("erin", Seed with { Budget = 40 });

        using var read = await SendAsync("root", HttpMethod.Get, $"/tasks/{taskId}", role: Caller.AdminRole);
        using var cancel = await SendAsync("root", HttpMethod.Post, $"/tasks/{taskId}/cancel", role: Caller.AdminRole);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(cancel.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"admin cancel: {(int)cancel.StatusCode}");
        var audit = await AuditAsync("erin", taskId);
        if (cancel.StatusCode == HttpStatusCode.Accepted)
            Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "cancelled" && e["actor"]!.GetValue<string>() == "root");
    }

    [Fact]
    public async Task The_audit_trail_of_a_completed_task_shows_each_payment_with_its_amount_and_key()
    {
        var taskId = await SubmitAsync("frank", Seed);
        var task = await WaitUntilFinishedAsync("frank", taskId);
        Assert.Equal("Completed", task["status"]!.GetValue<string>());

        var audit = await AuditAsync("frank", taskId);
        var actions = audit.Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal("submitted", actions[0]);
        Assert.Equal("frank", audit[0]["actor"]!.GetValue<string>());
        Assert.Equal("completed", actions[^1]);
        Assert.Contains("token_requested", actions);
        Assert.All(audit.Skip(1), e => Assert.Equal("system", e["actor"]!.GetValue<string>()));

        var charges = service.Simulators.Ledger.Charges.Where(c => c.IdempotencyKey?.StartsWith(Guid.Parse(taskId).ToString("N"), StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(charges);
        foreach (var charge in charges)
        {
            foreach (var action in new[] { "payment_attempted", "payment_settled", "item_read" })
                Assert.Contains(audit, e => e["action"]!.GetValue<string>() == action
                    && e["item"]!.GetValue<int>() == charge.ItemId
                    && e["amount"]!.GetValue<long>() == charge.Amount
                    && e["idempotency_key"]!.GetValue<string>() == charge.IdempotencyKey);
        }

        Assert.Equal(task["spent"]!.GetValue<long>(), audit.Where(e => e["action"]!.GetValue<string>() == "payment_settled").Sum(e => e["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Too_many_new_tasks_in_a_minute_are_refused_with_429_and_Retry_After()
    {
        for (var i = 0; i < Service.TasksPerMinute; i++)
            await SubmitAsync("carol", Seed with { Budget = 1 });

        using var refused = await SendAsync("carol", HttpMethod.Post, "/tasks", Seed);
        using var otherOwner = await SendAsync("grace", HttpMethod.Post, "/tasks", Seed with { Budget = 1 });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.NotNull(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]);
        Assert.Equal(HttpStatusCode.OK, otherOwner.StatusCode);
    }

    [Fact]
    public async Task Voice_guessing_is_stopped_once_too_many_tasks_failed_authentication_within_the_hour()
    {
        for (var i = 0; i < Service.AuthFailuresPerHour; i++)
        {
            var taskId = await SubmitAsync("dave", Seed with { VoiceId = $"refused_guess_{i}" });
            Assert.Equal("AuthenticationError", (await WaitUntilFinishedAsync("dave", taskId))["error"]!["error"]!.GetValue<string>());
        }

        using var refused = await SendAsync("dave", HttpMethod.Post, "/tasks", Seed);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 3000, 3600);
        Assert.Contains("voice", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    static readonly SubmitBody Seed = new("Tesla Inc financial performance 2023", 50, "user_voice_123");

    sealed record SubmitBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("theme")] string Theme,
        [property: System.Text.Json.Serialization.JsonPropertyName("budget")] long Budget,
        [property: System.Text.Json.Serialization.JsonPropertyName("voice_id")] string VoiceId);

    async Task<HttpResponseMessage> SendAsync(string subject, HttpMethod method, string path, object? body = null, string? role = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(service.Auth, subject, role));
        return await service.Api.Client.SendAsync(request);
    }

    async Task<string> SubmitAsync(string subject, SubmitBody body)
    {
        using var response = await SendAsync(subject, HttpMethod.Post, "/tasks", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /tasks as {subject}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    async Task<JsonNode> WaitUntilFinishedAsync(string subject, string taskId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await SendAsync(subject, HttpMethod.Get, $"/tasks/{taskId}");
            var task = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (task["status"]?.GetValue<string>() is "Completed" or "Failed" or "Cancelled")
                return task;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {task["status"]}");
            await Task.Delay(50);
        }
    }

    async Task<List<JsonNode>> AuditAsync(string subject, string taskId)
    {
        using var response = await SendAsync(subject, HttpMethod.Get, $"/tasks/{taskId}/audit");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(e => e!)];
    }

    public sealed class Service : IAsyncLifetime
    {
        public const int TasksPerMinute = 8;
        public const int AuthFailuresPerHour = 3;

        TestDatabase _database = null!;

        public AuthOptions Auth { get; } = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };
        public SimulatorHost Simulators { get; private set; } = null!;
        public HostProcess Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
            Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
            Api = await HostProcess.StartApiAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
                ["MARKETPLACE_URL"] = Simulators.MarketplaceUrl.ToString(),
                ["PAYMENT_MANAGER_URL"] = Simulators.PaymentManagerUrl.ToString(),
                ["Auth__Mode"] = "Jwt",
                ["Auth__SigningKey"] = Auth.SigningKey!,
                ["RateLimit__TasksPerMinute"] = TasksPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RateLimit__AuthFailuresPerHour"] = AuthFailuresPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await Simulators.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
