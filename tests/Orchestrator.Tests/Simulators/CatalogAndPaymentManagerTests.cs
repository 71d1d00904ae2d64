using Orchestrator.Simulators.Marketplace;

namespace Orchestrator.Tests.Simulators;

public sealed class CatalogAndPaymentManagerTests : IAsyncLifetime
{
    readonly SimulatorsFixture _simulators = new();

    public Task InitializeAsync() => _simulators.InitializeAsync();

    public Task DisposeAsync() => _simulators.DisposeAsync();

    [Fact]
    public void The_catalog_holds_at_least_20_items_over_several_themes_with_item_1_the_seeds_Tesla()
    {
        var catalog = new Catalog();

        Assert.True(catalog.Items.Count >= 20);
        Assert.True(catalog.Items.SelectMany(i => i.Tags).Distinct().Count() >= 10);
        Assert.Equal(("Tesla Inc", 10), (catalog.Find(1)!.Company, catalog.Find(1)!.Price));
    }

    [Theory]
    [InlineData("Tesla Inc financial performance 2023", 3)]
    [InlineData("AI market trends in healthcare", 2)]
    [InlineData("Blockchain adoption in finance", 2)]
    public async Task A_theme_finds_related_items_first(string theme, int atLeast)
    {
        var items = await SearchAsync(theme, limit: 5);

        Assert.InRange(items.Count, atLeast, 5);
        Assert.All(items, item => Assert.True(item["price"]!.GetValue<int>() > 0));
    }

    [Fact]
    public async Task The_limit_is_honoured_and_unrelated_themes_find_nothing()
    {
        Assert.Equal(2, (await SearchAsync("Tesla", limit: 2)).Count);
        Assert.Empty(await SearchAsync("zebra husbandry", limit: 5));
    }

    [Fact]
    public async Task A_marketplace_without_catalog_answers_404()
    {
        _simulators.Host.Behaviour.CatalogEnabled = false;

        using var response = await _simulators.Marketplace.GetAsync("/catalog?q=tesla");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("refused_voice", HttpStatusCode.Forbidden)]
    [InlineData("refused_by_policy", HttpStatusCode.Forbidden)]
    [InlineData("user_voice_123", HttpStatusCode.OK)]
    public async Task Voices_can_be_refused(string voiceId, HttpStatusCode expected)
    {
        using var response = await _simulators.PaymentManager.PostAsJsonAsync("/token", new { budget = 5, voice_id = voiceId });

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"budget": 0, "voice_id": "v"}""")]
    [InlineData("""{"budget": 5, "voice_id": " "}""")]
    [InlineData("""[]""")]
    public async Task Bad_token_requests_are_422(string body)
    {
        using var response = await _simulators.PaymentManager.PostAsync("/token", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    async Task<List<JsonNode>> SearchAsync(string theme, int limit)
    {
        var page = await _simulators.Marketplace.GetFromJsonAsync<JsonNode>($"/catalog?q={Uri.EscapeDataString(theme)}&limit={limit}");
        return [.. page!["items"]!.AsArray().Select(item => item!)];
    }
}
