using System.Net.Http.Headers;
using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>
/// Voice ids guessed faster than their tasks fail: the Api as a process under <c>Auth:Mode=Jwt</c>, with a Payment
/// Manager so slow that no task reaches its token step while the guesses are sent.
/// </summary>
public sealed class VoiceGuessingTests(VoiceGuessingTests.Service service) : IClassFixture<VoiceGuessingTests.Service>
{
    [Fact]
    public async Task Guesses_sent_one_after_another_are_refused_beyond_the_limit_before_any_has_failed()
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await SubmitAsync("mallory", $"refused_guess_{i}");
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 3600);
                Assert.Contains("voice", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, Service.AuthFailuresPerHour), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 12 - Service.AuthFailuresPerHour)], answers);
        Assert.Empty(await FinishedAsync("mallory"));
    }

    [Fact]
    public async Task Guesses_sent_all_at_once_are_refused_beyond_the_limit()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => SubmitAsync("trudy", $"refused_burst_{i}")));

        Assert.Equal(Service.AuthFailuresPerHour, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(12 - Service.AuthFailuresPerHour, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var response in responses)
            response.Dispose();
    }

    [Fact]
    public async Task An_honest_owner_sends_many_tasks_with_their_one_voice_id_and_is_unaffected_by_a_guesser()
    {
        for (var i = 0; i < 6; i++)
        {
            using var guess = await SubmitAsync("eve", $"refused_other_{i}");
            using var honest = await SubmitAsync("olivia", "user_voice_123");
            Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
        }

        using var refused = await SubmitAsync("eve", "refused_last");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        // The guesser's own voice id, once more, is not a new guess.
        using var again = await SubmitAsync("eve", "refused_other_0");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    async Task<HttpResponseMessage> SubmitAsync(string subject, string voiceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tasks")
        {
            Content = JsonContent.Create(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = voiceId }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(service.Auth, subject));
        return await service.Api.Client.SendAsync(request);
    }

    /// <summary>The owner's tasks that have ended (none should have, for the test to say what it means).</summary>
    async Task<List<JsonNode>> FinishedAsync(string subject)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tasks?limit=100");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(service.Auth, subject));
        using var response = await service.Api.Client.SendAsync(request);
        var tasks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray();
        return [.. tasks.Select(t => t!).Where(t => t["status"]!.GetValue<string>() is "Completed" or "Failed" or "Cancelled")];
    }

    public sealed class Service : IAsyncLifetime
    {
        public const int AuthFailuresPerHour = 3;

        /// <summary>Every simulator answer takes this long: a task needs several before its token step.</summary>
        readonly EmbeddedApi _embedded = new(simulatorLatency: TimeSpan.FromSeconds(5));

        public AuthOptions Auth { get; } = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };
        public HostProcess Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _embedded.InitializeAsync();
            Api = await _embedded.StartAsync(new Dictionary<string, string>
            {
                ["Auth__Mode"] = "Jwt",
                ["Auth__SigningKey"] = Auth.SigningKey!,
                ["RateLimit__TasksPerMinute"] = "1000",
                ["RateLimit__AuthFailuresPerHour"] = AuthFailuresPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await _embedded.DisposeAsync();
        }
    }
}
