// swagger-ui-dist ships no types; this is the part of its API the portal uses.
declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  export interface SwaggerRequest {
    url: string;
    method?: string;
    headers: Record<string, string>;
    [key: string]: unknown;
  }
  export interface SwaggerUIOptions {
    domNode: HTMLElement;
    spec: Record<string, unknown>;
    deepLinking?: boolean;
    validatorUrl?: string | null;
    tryItOutEnabled?: boolean;
    displayRequestDuration?: boolean;
    defaultModelsExpandDepth?: number;
    docExpansion?: 'list' | 'full' | 'none';
    requestInterceptor?: (request: SwaggerRequest) => SwaggerRequest | Promise<SwaggerRequest>;
    presets?: unknown[];
    plugins?: unknown[];
    layout?: string;
  }
  interface SwaggerUIStatic {
    (options: SwaggerUIOptions): unknown;
    presets: { apis: unknown };
  }
  const SwaggerUI: SwaggerUIStatic;
  export default SwaggerUI;
}

declare module '*.css';
