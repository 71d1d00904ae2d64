using System.Text.Json.Serialization;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>An item for sale, as <c>GET /catalog</c> lists it.</summary>
public sealed record CatalogItem(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("company")] string Company,
    [property: JsonPropertyName("price")] long Price,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags)
{
    [JsonIgnore]
    public string Summary { get; init; } = "";

    [JsonIgnore]
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>What a paid <c>GET /company/detail</c> returns.</summary>
    public object Data() => new Dictionary<string, object>
    {
        ["id"] = Id,
        ["company"] = Company,
        ["title"] = Title,
        ["summary"] = Summary,
        ["metrics"] = Metrics,
        ["source"] = "Marketplace simulator",
    };
}
