using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.Payments;

namespace Orchestrator.Workflow.Hosting;

/// <summary>The JSON the Refit clients send and read, generated at build time (web defaults: camelCase, any case read).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(PaymentToken))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ExternalApiJsonContext : JsonSerializerContext;
