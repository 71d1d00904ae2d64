using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.ApiDescription;

/// <summary>
/// What every operation may answer whatever it does: 400 for a request this service does not serve (a malformed
/// one, or a Host header that is not one of its names), and, unless the route is public, 401 without a valid
/// bearer token under <c>Auth:Mode=Jwt</c>. Public routes say so with an empty <c>security</c>.
/// </summary>
public sealed class AccessRules : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("400", BadRequest(context.Document));
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
            return Task.CompletedTask;
        }

        operation.Responses.TryAdd("401", Detail(context.Document, "Not authenticated: under `Auth:Mode=Jwt`, no valid bearer token (a token without `sub` included)"));
        return Task.CompletedTask;
    }

    public static OpenApiResponse BadRequest(OpenApiDocument? document) =>
        Detail(document, "A request this service does not serve: malformed, or a Host header that is not one of its names (in the anonymous mode: loopback names only)");

    /// <summary>A response whose body is the contract's <c>{"detail": "..."}</c>.</summary>
    public static OpenApiResponse Detail(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(DetailResponse), document) },
        },
    };
}
