namespace Orchestrator.Tests.Simulators;

/// <summary>The wire contract's 402 flow on the simulators: price, token, payment, data; idempotency; budgets.</summary>
public sealed class MarketplacePaymentFlowTests : IAsyncLifetime
{
    readonly SimulatorsFixture _simulators = new();

    public Task InitializeAsync() => _simulators.InitializeAsync();

    public Task DisposeAsync() => _simulators.DisposeAsync();

    [Fact]
    public async Task The_seed_flow_402_token_pay_then_data_and_the_data_can_be_read_again()
    {
        using var unpaid = await _simulators.Marketplace.GetAsync("/company/detail?id=1");
        Assert.Equal(HttpStatusCode.PaymentRequired, unpaid.StatusCode);
        var price = JsonNode.Parse(await unpaid.Content.ReadAsStringAsync())!["price"]!.GetValue<int>();
        Assert.Equal(10, price);

        var token = await TokenAsync(budget: 50);
        using var paid = await PayAsync(new { tokenId = token, amount = price });
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);

        for (var read = 0; read < 2; read++)
        {
            using var data = await DetailAsync(1, token);
            Assert.Equal(HttpStatusCode.OK, data.StatusCode);
            Assert.Equal("Tesla Inc", JsonNode.Parse(await data.Content.ReadAsStringAsync())!["company"]!.GetValue<string>());
        }

        Assert.Equal(10, Assert.Single(_simulators.Host.Ledger.Charges).Amount);
    }

    [Fact]
    public async Task An_unpaid_item_stays_402_even_with_a_token_that_paid_for_another()
    {
        var token = await TokenAsync(budget: 50);
        using var _ = await PayAsync(new { tokenId = token, amount = 8, itemId = 2 }, key: "k-2");

        using var other = await DetailAsync(3, token);

        Assert.Equal(HttpStatusCode.PaymentRequired, other.StatusCode);
    }

    [Fact]
    public async Task The_same_idempotency_key_charges_once_even_when_sent_concurrently()
    {
        var token = await TokenAsync(budget: 50);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var response = await PayAsync(new { tokenId = token, amount = 8, itemId = 2 }, key: "task-2");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Single(answers.Select(a => JsonNode.Parse(a.Body)!["charge_id"]!.GetValue<string>()).Distinct());
        Assert.Single(_simulators.Host.Ledger.Charges);
    }

    [Fact]
    public async Task A_token_never_pays_beyond_its_budget()
    {
        var token = await TokenAsync(budget: 20);
        using var first = await PayAsync(new { tokenId = token, amount = 12, itemId = 3 }, key: "a");

        using var second = await PayAsync(new { tokenId = token, amount = 10, itemId = 1 }, key: "b");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, second.StatusCode);
        Assert.Equal(12, _simulators.Host.Ledger.Charges.Sum(c => c.Amount));
    }

    [Fact]
    public async Task A_payment_charged_before_a_lost_answer_is_not_charged_again_on_retry()
    {
        var token = await TokenAsync(budget: 50);
        _simulators.Host.Behaviour.FailureRateAfterEffect = 1;
        using var lost = await PayAsync(new { tokenId = token, amount = 10, itemId = 1 }, key: "retry-me");
        _simulators.Host.Behaviour.FailureRateAfterEffect = 0;

        using var retried = await PayAsync(new { tokenId = token, amount = 10, itemId = 1 }, key: "retry-me");

        Assert.Equal(HttpStatusCode.InternalServerError, lost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(_simulators.Host.Ledger.Charges);
    }

    [Theory]
    [InlineData("/company/detail?id=999")]
    [InlineData("/company/detail?id=abc")]
    public async Task Unknown_items_are_404(string path)
    {
        using var response = await _simulators.Marketplace.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"tokenId": "tok_unknown", "amount": 10}""", HttpStatusCode.PaymentRequired)]
    [InlineData("""{"tokenId": "x", "amount": 0}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""not json""", HttpStatusCode.UnprocessableEntity)]
    public async Task Bad_payments_are_refused_without_a_charge(string body, HttpStatusCode expected)
    {
        using var response = await _simulators.Marketplace.PostAsync("/pay", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Empty(_simulators.Host.Ledger.Charges);
    }

    async Task<string> TokenAsync(int budget)
    {
        using var response = await _simulators.PaymentManager.PostAsJsonAsync("/token", new { budget, voice_id = "test_voice" });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token_id"]!.GetValue<string>();
    }

    Task<HttpResponseMessage> PayAsync(object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/pay") { Content = JsonContent.Create(body) };
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return _simulators.Marketplace.SendAsync(request);
    }

    Task<HttpResponseMessage> DetailAsync(int id, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/company/detail?id={id}");
        request.Headers.Add("x-payment-token", token);
        return _simulators.Marketplace.SendAsync(request);
    }
}
