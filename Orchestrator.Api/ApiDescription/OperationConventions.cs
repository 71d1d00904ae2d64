using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Orchestrator.Api.ApiDescription;

/// <summary>What an endpoint adds to its own operation in the document, next to its mapping.</summary>
public static class OperationConventions
{
    /// <summary>An answer the handler's return type does not show (a status chosen at run time), with what it means.</summary>
    public static RouteHandlerBuilder Answers<TBody>(this RouteHandlerBuilder builder, int statusCode, string description, string contentType = "application/json") =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(TBody), [contentType])).Describes((statusCode, description));

    /// <summary>What each listed status means for this operation.</summary>
    public static RouteHandlerBuilder Describes(this RouteHandlerBuilder builder, params (int StatusCode, string Description)[] answers) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var (statusCode, description) in answers)
                Response(operation, statusCode).Description = description;
            return Task.CompletedTask;
        });

    /// <summary>These answers carry <c>Retry-After</c>: whole seconds to wait before trying again.</summary>
    public static RouteHandlerBuilder WithRetryAfter(this RouteHandlerBuilder builder, params int[] statusCodes) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var statusCode in statusCodes)
            {
                AddHeader(Response(operation, statusCode), "Retry-After", new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again (at least 1)",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                });
            }

            return Task.CompletedTask;
        });

    /// <summary>This answer may carry the header <paramref name="name"/> (a string), with what it means.</summary>
    public static RouteHandlerBuilder WithResponseHeader(this RouteHandlerBuilder builder, int statusCode, string name, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddHeader(Response(operation, statusCode), name, new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            return Task.CompletedTask;
        });

    static void AddHeader(OpenApiResponse response, string name, OpenApiHeader header)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = header;
    }

    /// <summary>An example of this answer's body.</summary>
    public static RouteHandlerBuilder WithExample(this RouteHandlerBuilder builder, int statusCode, JsonNode example, string contentType = "application/json") =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (Response(operation, statusCode).Content?.TryGetValue(contentType, out var media) == true)
                media.Example = example.DeepClone();
            return Task.CompletedTask;
        });

    /// <summary>An example of the request's body.</summary>
    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder builder, JsonNode example, string contentType = "application/json") =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content?.TryGetValue(contentType, out var media) == true)
                media.Example = example.DeepClone();
            return Task.CompletedTask;
        });

    /// <summary>What a parameter means, and the schema it must match.</summary>
    public static RouteHandlerBuilder WithParameter(this RouteHandlerBuilder builder, string name, string description, Action<OpenApiSchema>? schema = null) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var parameter = operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == name)
                ?? throw new InvalidOperationException($"The operation {operation.OperationId} has no parameter {name}");
            parameter.Description = description;
            if (schema is not null && parameter.Schema is OpenApiSchema own)
                schema(own);
            return Task.CompletedTask;
        });

    static OpenApiResponse Response(OpenApiOperation operation, int statusCode) =>
        operation.Responses?.GetValueOrDefault(statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)) as OpenApiResponse
        ?? throw new InvalidOperationException($"The operation {operation.OperationId} does not answer {statusCode}");
}
