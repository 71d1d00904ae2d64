namespace Orchestrator.Tests.Api.ApiDescription;

/// <summary>
/// How the document says a caller authenticates: under <c>Auth:Mode=Jwt</c> a bearer token on every route but
/// the health ones (the document itself included); in the anonymous mode the token is optional.
/// </summary>
public sealed class ApiDocumentSecurityTests : IDisposable
{
    readonly JwtApiFactory _jwt = new();
    readonly ApiFactory _anonymous = new();

    public void Dispose()
    {
        _jwt.Dispose();
        _anonymous.Dispose();
    }

    [Fact]
    public async Task Under_jwt_every_task_route_and_the_metrics_need_a_bearer_token_and_health_none()
    {
        var document = await DocumentAsync(_jwt.ClientFor("integrator"));

        Assert.Equal("""[{"bearer":[]}]""", document["security"]!.ToJsonString());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        foreach (var health in new[] { "/health", "/health/ready" })
            Assert.Empty(paths[health]!["get"]!["security"]!.AsArray());
        Assert.Null(paths["/metrics"]!["get"]!["security"]);
        Assert.NotNull(paths["/metrics"]!["get"]!["responses"]!["403"]);
        Assert.All(paths.Where(p => p.Key.StartsWith("/tasks", StringComparison.Ordinal)).SelectMany(p => p.Value!.AsObject()), operation =>
        {
            Assert.Null(operation.Value!["security"]);
            Assert.NotNull(operation.Value!["responses"]!["401"]);
        });
    }

    [Fact]
    public async Task Under_jwt_the_document_says_what_a_route_answers_without_a_token()
    {
        var document = await DocumentAsync(_jwt.ClientFor("integrator"));
        using var withoutToken = await _jwt.CreateClient().GetAsync("/tasks");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        var described = document["paths"]!["/tasks"]!["get"]!["responses"]!["401"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        Assert.Equal("#/components/schemas/DetailResponse", described);
        Assert.NotNull((await withoutToken.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
    }

    [Fact]
    public async Task In_the_anonymous_mode_a_token_is_optional()
    {
        var document = await DocumentAsync(_anonymous.CreateClient());

        Assert.Equal("""[{},{"bearer":[]}]""", document["security"]!.ToJsonString());
    }

    static async Task<JsonNode> DocumentAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
