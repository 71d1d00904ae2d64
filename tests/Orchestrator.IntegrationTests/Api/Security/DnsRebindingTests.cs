namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>
/// The anonymous Api as a process, attacked the way a web page whose name was rebound to 127.0.0.1 would: from
/// the visitor's own machine, with the page's own name in the Host header.
/// </summary>
public sealed class DnsRebindingTests : IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task A_request_naming_another_host_is_refused_with_400_and_changes_nothing()
    {
        await using var api = await _embedded.StartAsync();
        var port = api.Address.Port;
        var body = new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" };

        foreach (var host in new[] { "evil.example", $"evil.example:{port}", "localhost.evil.example", "127.0.0.1.nip.io" })
        {
            foreach (var (method, path) in new[] { ("GET", "/tasks"), ("POST", "/tasks"), ("POST", $"/tasks/{Guid.NewGuid()}/cancel"), ("GET", "/") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(body) : null };
                request.Headers.Host = host;
                using var response = await api.Client.SendAsync(request);

                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} with Host {host}: {(int)response.StatusCode}");
                Assert.Contains("Host", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }

        foreach (var host in new[] { $"localhost:{port}", "LOCALHOST", $"127.0.0.1:{port}", $"[::1]:{port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/tasks");
            request.Headers.Host = host;
            using var response = await api.Client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /tasks with Host {host}: {(int)response.StatusCode}");
            Assert.Empty(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray());
        }
    }

    [Fact]
    public async Task Forwarded_headers_count_from_a_known_proxy_only_and_a_remote_client_behind_it_is_refused()
    {
        await using (var behindProxy = await _embedded.StartAsync(new Dictionary<string, string> { ["Proxy__KnownProxies__0"] = "127.0.0.1" }))
        {
            using var remote = await GetTasksAsync(behindProxy, forwardedFor: "203.0.113.7");
            using var local = await GetTasksAsync(behindProxy, forwardedFor: "127.0.0.1");

            Assert.Equal(HttpStatusCode.BadRequest, remote.StatusCode);
            Assert.Contains("not on this machine", JsonNode.Parse(await remote.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        // The sender (127.0.0.1) is not a known proxy: what it forwards is ignored, the client is the sender.
        await using var otherProxy = await _embedded.StartAsync(new Dictionary<string, string> { ["Proxy__KnownProxies__0"] = "10.1.2.3" });
        using var ignored = await GetTasksAsync(otherProxy, forwardedFor: "203.0.113.7");
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
    }

    static async Task<HttpResponseMessage> GetTasksAsync(HostProcess api, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tasks");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await api.Client.SendAsync(request);
    }
}
