using System.Globalization;
using System.Numerics;
using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Workflow.X402;

namespace Orchestrator.IntegrationTests.Workflow.X402;

/// <summary>
/// The whole program (the embedded Api, as a process of its own) buying from the real x402 seller (@x402/express,
/// its facilitator verifying every signature and settling into a ledger that refuses a nonce twice), with the
/// Payment Manager of the simulators. Each test pays from a wallet of its own, so the ledger's entries from its
/// address are its payments.
/// </summary>
public sealed class BuyingFromARealX402SellerTests(X402SellerRun run) : IClassFixture<X402SellerRun>, IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    const string Theme = "Tesla Inc financial performance 2023";
    const long AtomicUnits = 1_000_000;

    /// <summary>The seller's item 1 (price 10): in every plan of the theme at a budget of 30.</summary>
    static readonly int[] FirstItem = [1];

    static readonly TimeSpan Finishing = TimeSpan.FromSeconds(120);

    readonly string _key = LocalKeySigner.CreateKey();

    string Address => new LocalKeySigner(_key).Address;

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [NodeFact]
    public async Task A_task_pays_each_item_with_one_signature_for_its_quote()
    {
        await run.Seller.FaultsAsync(null);
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var bought = Fetched(task);
        Assert.NotEmpty(bought);
        var settled = await SettlementsAsync(run.Seller);
        Assert.Equal(bought.Count, settled.Count);
        Assert.Equal(settled.Count, settled.Select(s => Text(s["nonce"])).Distinct().Count());
        foreach (var item in bought)
        {
            var receipt = item["receipt"]!;
            var settlement = Assert.Single(settled, s => Text(s["tx"]) == Text(receipt["reference"]));
            Assert.Equal(Address, Text(settlement["from"]), ignoreCase: true);
            Assert.Equal(Address, Text(receipt["payer"]), ignoreCase: true);
            Assert.Equal("eip155:84532", Text(receipt["network"]));
            Assert.Equal(item["price"]!.GetValue<long>() * AtomicUnits, long.Parse(Text(settlement["value"]), CultureInfo.InvariantCulture));
        }

        Assert.Equal(settled.Sum(s => long.Parse(Text(s["value"]), CultureInfo.InvariantCulture)) / AtomicUnits, task["spent"]!.GetValue<long>());
        // The Payment Manager's token is asked for the plan's total, never for the whole budget.
        Assert.Contains(task["spent"]!.GetValue<long>(), _embedded.Simulators.Ledger.TokenBudgets.Values);
        Assert.Contains("paid over x402: transaction", Text(task["report"]), StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task A_response_lost_after_settling_is_settled_by_sending_the_same_payment_again()
    {
        await run.Seller.FaultsAsync(new { loseResponseOnce = true, items = FirstItem });
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var settled = await SettlementsAsync(run.Seller);
        var first = Assert.Single(Fetched(task), item => item["item"]!.GetValue<int>() == 1);
        Assert.Single(settled, s => Text(s["tx"]) == Text(first["receipt"]!["reference"]));
        Assert.Equal(Fetched(task).Count, settled.Count);
    }

    [NodeFact]
    public async Task A_seller_unavailable_for_20_seconds_is_paid_once_when_it_is_back()
    {
        await run.Seller.FaultsAsync(new { unavailableForSeconds = 20 });
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var settled = await SettlementsAsync(run.Seller);
        Assert.Equal(Fetched(task).Count, settled.Count);
        Assert.Equal(settled.Count, settled.Select(s => Text(s["nonce"])).Distinct().Count());
    }

    [NodeFact]
    public async Task A_price_raised_at_pay_time_is_declined_and_the_item_skipped()
    {
        await run.Seller.FaultsAsync(new { raisePriceBy = 5, items = FirstItem });
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var item = Item(task, 1);
        Assert.Equal("Skipped", Text(item["status"]));
        Assert.Contains("more than the 10000000 it quoted", Text(item["reason"]), StringComparison.Ordinal);
        var settled = await SettlementsAsync(run.Seller);
        Assert.DoesNotContain(settled, s => Text(s["value"]) is "10000000" or "15000000");
        Assert.Equal(Fetched(task).Count, settled.Count);
    }

    [NodeFact]
    public async Task An_x402_v1_item_is_paid_with_X_PAYMENT_beside_v2_ones()
    {
        await run.Seller.FaultsAsync(new { x402v1 = true, items = FirstItem });
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var v1 = Assert.Single(Fetched(task), item => item["item"]!.GetValue<int>() == 1);
        var settled = await SettlementsAsync(run.Seller);
        var settlement = Assert.Single(settled, s => Text(s["tx"]) == Text(v1["receipt"]!["reference"]));
        Assert.Equal("10000000", Text(settlement["value"]));
        Assert.Equal(Fetched(task).Count, settled.Count);
    }

    [NodeFact]
    public async Task An_item_offered_only_on_an_unsupported_network_is_skipped_with_the_reason()
    {
        await run.Seller.FaultsAsync(new { unsupportedNetwork = true, items = FirstItem });
        await using var api = await StartApiAsync(run.Seller);

        var task = await api.WaitUntilFinishedAsync(await SubmitAsync(api, budget: 30), Finishing);

        var item = Item(task, 1);
        Assert.Equal("Skipped", Text(item["status"]));
        Assert.Contains("no acceptable x402 network/asset", Text(item["reason"]), StringComparison.Ordinal);
        Assert.Contains("network=eip155:137", Text(item["reason"]), StringComparison.Ordinal);
        Assert.Equal(Fetched(task).Count, (await SettlementsAsync(run.Seller)).Count);
    }

    /// <summary>
    /// The Worker is killed with a payment signed and stored but not settled (the seller answers 503); started again,
    /// it sends that same payment: the nonce settled is the one stored before the kill.
    /// </summary>
    [NodeFact]
    public async Task A_Worker_killed_after_signing_sends_the_same_payment_when_it_starts_again()
    {
        await run.Seller.FaultsAsync(new { unavailableForSeconds = 600 });
        string taskId;
        string storedNonce;
        await using (var api = await StartApiAsync(run.Seller))
        {
            taskId = await SubmitAsync(api, budget: 30);
            storedNonce = (await WaitForStoredPaymentAsync(taskId)).Nonce;
            await api.KillAsync();
        }

        await run.Seller.FaultsAsync(null);
        await using var again = await StartApiAsync(run.Seller);
        var task = await again.WaitUntilFinishedAsync(taskId, Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var settled = await SettlementsAsync(run.Seller);
        Assert.Single(settled, s => Text(s["nonce"]) == storedNonce);
        Assert.Equal(Fetched(task).Count, settled.Count);
    }

    /// <summary>
    /// A payment whose authorization expired while the seller could not take it (503 past its <c>validBefore</c>) is
    /// sent again first: the seller answers 402 (it never settled it, and from now on nobody can), so the purchase is
    /// signed again, and only the new nonce settles.
    /// </summary>
    [NodeFact]
    public async Task A_payment_that_expired_unsettled_is_signed_again_and_settled_once()
    {
        await using var seller = await X402SellerProcess.StartAsync(new Dictionary<string, string> { ["MAX_TIMEOUT_SECONDS"] = "10" });
        await seller.FaultsAsync(new { unavailableForSeconds = 20 });
        await using var api = await StartApiAsync(seller);

        var taskId = await SubmitAsync(api, budget: 30);
        var first = await WaitForStoredPaymentAsync(taskId);
        var task = await api.WaitUntilFinishedAsync(taskId, Finishing);

        Assert.Equal("Completed", Text(task["status"]));
        var settled = await SettlementsAsync(seller);
        Assert.DoesNotContain(settled, s => Text(s["nonce"]) == first.Nonce);
        var again = Assert.Single(settled, s => Text(s["value"]) == first.Value);
        Assert.True(BigInteger.Parse(Text(again["validBefore"]), CultureInfo.InvariantCulture) > first.ValidBefore, "the new payment was signed later");
        Assert.Equal(Fetched(task).Count, settled.Count);
    }

    Task<HostProcess> StartApiAsync(X402SellerProcess seller) => _embedded.StartAsync(new Dictionary<string, string>
    {
        ["MARKETPLACE_URL"] = seller.Address.ToString(),
        ["X402__PrivateKey"] = _key,
        ["HTTP_TIMEOUT"] = "2",
        ["MAX_RETRIES"] = "1",
        ["RETRY_DELAY"] = "0.05",
        ["Recovery__DeferralDelay"] = "00:00:01",
        ["Recovery__DeferralMaxDelay"] = "00:00:02",
    });

    static Task<string> SubmitAsync(HostProcess api, long budget) =>
        api.SubmitAsync(new { theme = Theme, budget, voice_id = "x402_voice" });

    async Task<IReadOnlyList<JsonNode>> SettlementsAsync(X402SellerProcess seller) =>
        [.. (await seller.SettlementsAsync()).Where(s => string.Equals(Text(s["from"]), Address, StringComparison.OrdinalIgnoreCase))];

    /// <summary>The first payment stored for the task (its nonce, value and expiry), read from the database as a person would.</summary>
    async Task<(string Nonce, string Value, BigInteger ValidBefore)> WaitForStoredPaymentAsync(string taskId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await using (var connection = new SqliteConnection(_embedded.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT x402_payment FROM research_task_purchases WHERE upper(task_id) = upper($task) AND x402_payment IS NOT NULL LIMIT 1";
                command.Parameters.AddWithValue("$task", taskId);
                if (await command.ExecuteScalarAsync() is string payment)
                {
                    var authorization = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payment)))!["payload"]!["authorization"]!;
                    return (Text(authorization["nonce"]).ToLowerInvariant(), Text(authorization["value"]),
                        BigInteger.Parse(Text(authorization["validBefore"]), CultureInfo.InvariantCulture));
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no payment was stored for task {taskId}");
            await Task.Delay(100);
        }
    }

    static List<JsonNode> Fetched(JsonNode task) =>
        [.. task["plan"]!.AsArray().Select(i => i!).Where(i => Text(i["status"]) == "Fetched")];

    static JsonNode Item(JsonNode task, int id) => task["plan"]!.AsArray().Select(i => i!).Single(i => i["item"]!.GetValue<int>() == id);

    static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";
}
