namespace Orchestrator.Tests.Api.Security;

/// <summary>Under <c>Auth:Mode=Jwt</c> no token's subject can be an owner of tasks published onto the bus.</summary>
public sealed class BusOwnerTokenTests(JwtApiFactory api) : IClassFixture<JwtApiFactory>
{
    [Theory]
    [InlineData("bus")]
    [InlineData("bus:alice")]
    public async Task A_token_whose_subject_is_in_the_bus_namespace_is_refused_with_401(string subject)
    {
        using var client = api.ClientFor(subject);

        using var response = await client.GetAsync("/tasks");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("business")]
    [InlineData("alice:bus")]
    public async Task Other_subjects_are_served(string subject)
    {
        using var client = api.ClientFor(subject);

        using var response = await client.GetAsync("/tasks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
