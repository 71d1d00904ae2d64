namespace Orchestrator.Tests.Api.Progress;

/// <summary>The progress stream under <c>Auth:Mode=Jwt</c>: the same access rules as <c>GET /tasks/{id}</c>.</summary>
public sealed class WatchingWithTokensTests(JwtApiFactory api) : IClassFixture<JwtApiFactory>
{
    [Fact]
    public async Task The_owner_follows_their_task_while_another_caller_gets_404_and_no_token_401()
    {
        using var alice = api.ClientFor("alice");
        using var bob = api.ClientFor("bob");
        using var anonymous = api.CreateClient();
        var taskId = await alice.SubmitAsync("Tesla Inc financial performance 2023", budget: 20);

        using var bobs = await bob.GetAsync($"/tasks/{taskId}/events");
        using var nobodys = await anonymous.GetAsync($"/tasks/{taskId}/events");
        var events = await alice.ReadEventsAsync(taskId);

        Assert.Equal(HttpStatusCode.NotFound, bobs.StatusCode);
        Assert.Equal("""{"detail":"Task not found"}""", await bobs.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, nobodys.StatusCode);
        Assert.Equal("final", events[^1].Type);
        Assert.Equal("Completed", events[^1].Data["status"]!.GetValue<string>());
    }
}
