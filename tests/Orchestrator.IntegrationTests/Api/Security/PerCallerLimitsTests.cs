using System.Net.Http.Headers;
using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>
/// Work one caller can make the Api do without end: the Api as a process under <c>Auth:Mode=Jwt</c>, with simulators
/// so slow that its tasks stay unfinished (and their streams open) while a test runs.
/// </summary>
public sealed class PerCallerLimitsTests(PerCallerLimitsTests.Service service) : IClassFixture<PerCallerLimitsTests.Service>
{
    const int MaxStreamsPerOwner = 20;

    [Fact]
    public async Task The_21st_open_event_stream_of_one_owner_is_refused_until_one_closes()
    {
        var taskId = await SubmitAsync("streamer");
        var otherTaskId = await SubmitAsync("bystander");
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < MaxStreamsPerOwner; i++)
            {
                var stream = await OpenStreamAsync("streamer", taskId);
                open.Add(stream);
                Assert.True(stream.StatusCode == HttpStatusCode.OK, $"stream {i + 1}: {(int)stream.StatusCode}");
            }

            using (var refused = await OpenStreamAsync("streamer", taskId))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 3600);
                Assert.Contains("event streams", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }

            using (var others = await OpenStreamAsync("bystander", otherTaskId))
                Assert.Equal(HttpStatusCode.OK, others.StatusCode);

            // One stream closes: the server sees it go, and a new one is let in.
            open[0].Dispose();
            open.RemoveAt(0);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                var again = await OpenStreamAsync("streamer", taskId);
                if (again.StatusCode == HttpStatusCode.OK)
                {
                    open.Add(again);
                    break;
                }

                again.Dispose();
                Assert.True(DateTime.UtcNow < deadline, "no stream was let in after one closed");
                await Task.Delay(100);
            }
        }
        finally
        {
            foreach (var stream in open)
                stream.Dispose();
        }
    }

    [Fact]
    public async Task A_cancel_sent_ten_times_at_once_and_again_adds_one_cancelled_entry_to_the_audit_trail()
    {
        var taskId = await SubmitAsync("canceller");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var response = await SendAsync("canceller", HttpMethod.Post, $"/tasks/{taskId}/cancel");
            return response.StatusCode;
        }));
        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync("canceller", HttpMethod.Post, $"/tasks/{taskId}/cancel");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict });
        }

        Assert.Contains(HttpStatusCode.Accepted, answers);
        Assert.All(answers, answer => Assert.Contains(answer, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        using var audit = await SendAsync("canceller", HttpMethod.Get, $"/tasks/{taskId}/audit");
        var requested = JsonNode.Parse(await audit.Content.ReadAsStringAsync())!.AsArray()
            .Where(e => e!["action"]!.GetValue<string>() == "cancelled" && e["actor"]!.GetValue<string>() == "canceller")
            .ToList();
        Assert.Single(requested);
    }

    async Task<HttpResponseMessage> OpenStreamAsync(string subject, string taskId)
    {
        using var request = Request(subject, HttpMethod.Get, $"/tasks/{taskId}/events");
        return await service.Streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    async Task<string> SubmitAsync(string subject)
    {
        using var request = Request(subject, HttpMethod.Post, "/tasks");
        request.Content = JsonContent.Create(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" });
        using var response = await service.Api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    async Task<HttpResponseMessage> SendAsync(string subject, HttpMethod method, string path)
    {
        using var request = Request(subject, method, path);
        return await service.Api.Client.SendAsync(request);
    }

    HttpRequestMessage Request(string subject, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(service.Auth, subject));
        return request;
    }

    public sealed class Service : IAsyncLifetime
    {
        /// <summary>Every simulator answer takes this long: no task of a test ends while it runs.</summary>
        readonly EmbeddedApi _embedded = new(simulatorLatency: TimeSpan.FromSeconds(20));

        public AuthOptions Auth { get; } = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };
        public HostProcess Api { get; private set; } = null!;

        /// <summary>A client for streams: one connection each, never timed out while open.</summary>
        public HttpClient Streams { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _embedded.InitializeAsync();
            Api = await _embedded.StartAsync(new Dictionary<string, string>
            {
                ["Auth__Mode"] = "Jwt",
                ["Auth__SigningKey"] = Auth.SigningKey!,
            });
            Streams = new HttpClient { BaseAddress = Api.Address, Timeout = Timeout.InfiniteTimeSpan };
        }

        public async Task DisposeAsync()
        {
            Streams.Dispose();
            await Api.DisposeAsync();
            await _embedded.DisposeAsync();
        }
    }
}
