namespace Orchestrator.Tests.Api.Security;

/// <summary>Anonymous access allowed beyond loopback: the rate limit applies per client address.</summary>
public sealed class AnonymousAccessBeyondLoopbackTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task New_tasks_beyond_the_limit_are_refused_with_429_and_Retry_After()
    {
        using var open = api.WithWebHostBuilder(web => web
            .UseSetting("Auth:AllowAnonymous", "true")
            .UseSetting("RateLimit:TasksPerMinute", "2"));
        using var client = open.CreateClient();
        var body = new { theme = "Renewable energy investment", budget = 5, voice_id = "v" };

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
            answers.Add(await client.PostAsJsonAsync("/tasks", body));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.InRange(int.Parse(answers[2].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
