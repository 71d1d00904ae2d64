using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.Api.Tasks;

/// <summary><c>GET /tasks/{id}/audit</c> a page at a time, the next page's address in the <c>Link</c> header.</summary>
public sealed class AuditPagingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Pages_followed_by_their_Link_give_the_whole_trail_once_in_order()
    {
        using var client = api.CreateClient();
        var taskId = await client.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);
        await client.ReadEventsAsync(taskId);

        using var whole = await client.GetAsync($"/tasks/{taskId}/audit");
        var all = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!.AsArray().Select(e => e!.ToJsonString()).ToList();
        Assert.False(whole.Headers.Contains("Link"));
        Assert.True(all.Count > 5, $"only {all.Count} entries");

        var paged = new List<string>();
        var pages = 0;
        var next = (string?)$"/tasks/{taskId}/audit?limit=2";
        while (next is not null)
        {
            using var page = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var entries = JsonNode.Parse(await page.Content.ReadAsStringAsync())!.AsArray();
            Assert.InRange(entries.Count, 1, 2);
            paged.AddRange(entries.Select(e => e!.ToJsonString()));
            pages++;
            next = page.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<([^>]+)>; rel=\"next\"$").Groups[1].Value
                : null;
        }

        Assert.Equal(all, paged);
        Assert.Equal((all.Count + 1) / 2, pages);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=x", "after")]
    public async Task A_query_parameter_out_of_its_range_is_a_422(string query, string parameter)
    {
        using var client = api.CreateClient();
        var taskId = await client.SubmitAsync("Tesla Inc financial performance 2023", budget: 10);

        using var response = await client.GetAsync($"/tasks/{taskId}/audit?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var loc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]![0]!["loc"]!.AsArray().Select(l => l!.GetValue<string>());
        Assert.Equal(["query", parameter], loc);
    }
}
