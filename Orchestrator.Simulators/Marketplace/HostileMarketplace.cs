using System.Text;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>What a hostile marketplace (<see cref="Hostility"/>) sends instead of the catalog's honest answers.</summary>
static class HostileMarketplace
{
    public const long HugePrice = 2_000_000_000;

    const string ControlCharacters = "\u0000\u0007\u001b[2J\r\n\t\u007f\u0085\u202e";
    const string ActiveContent =
        "[click me](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)> ![pixel](http://tracker.invalid/p.png) <javascript:alert(4)>";

    /// <summary>The item as the hostile marketplace lists and sells it.</summary>
    public static CatalogItem View(CatalogItem item, SimulatorBehaviour behaviour)
    {
        if (behaviour.Attacks(Hostility.HugePrices) && item.Id is 1 or 2)
            item = item with { Price = HugePrice };
        if (behaviour.Attacks(Hostility.ControlCharacters))
        {
            item = item with
            {
                Title = $"{ControlCharacters}{item.Title}{ControlCharacters}{new string('T', 10_000)}",
                Company = $"{item.Company}{ControlCharacters}",
                Tags = [.. item.Tags.Select(tag => $"{tag}{ControlCharacters}"), new string('x', 5_000)],
                Summary = $"{item.Summary}{ControlCharacters}",
            };
        }

        if (behaviour.Attacks(Hostility.ActiveContent))
        {
            item = item with
            {
                Title = $"{item.Title} {ActiveContent}",
                Company = $"<b onmouseover=alert(5)>{item.Company}</b>",
                Summary = $"{ActiveContent} {item.Summary}",
            };
        }

        return item;
    }

    public static IEnumerable<CatalogItem> Search(IEnumerable<CatalogItem> found, SimulatorBehaviour behaviour)
    {
        var items = found.Select(item => View(item, behaviour));
        return behaviour.Attacks(Hostility.HugePrices) ? items.Where(item => item.Price == HugePrice) : items;
    }

    /// <summary>The 402 answer to an unpaid request, or null where the item is quoted honestly.</summary>
    public static IResult? BadPrice(CatalogItem item, SimulatorBehaviour behaviour)
    {
        if (!behaviour.Attacks(Hostility.BadPrices))
            return null;
        return (item.Id % 6) switch
        {
            1 => Json402("{\"price\": 0}"),
            2 => Json402("{\"price\": -5}"),
            3 => Json402("{\"price\": 1.5}"),
            4 => Json402("{\"detail\": \"Payment required\"}"),
            5 => Results.Text("Pay up.", "text/plain", statusCode: StatusCodes.Status402PaymentRequired),
            _ => null,
        };
    }

    static IResult Json402(string body) => Results.Text(body, "application/json", Encoding.UTF8, StatusCodes.Status402PaymentRequired);

    /// <summary>Headers, then one byte every 2 s until the client gives up.</summary>
    public static IResult Trickle(int status) => new TrickleResult(status);

    /// <summary>A JSON object of about 40 MB, sent in chunks with no Content-Length.</summary>
    public static IResult Huge() => new HugeResult();

    sealed class TrickleResult(int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(context.RequestAborted);
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync("{"u8.ToArray(), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    sealed class HugeResult : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = "application/json";
            var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            try
            {
                await context.Response.Body.WriteAsync("{\"summary\": \"big\", \"blob\": \""u8.ToArray(), context.RequestAborted);
                for (var sent = 0; sent < 40 * 1024 * 1024; sent += chunk.Length)
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.WriteAsync("\"}"u8.ToArray(), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
